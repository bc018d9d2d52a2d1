// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Skeleton open -> size maps -> set options -> load -> fill maps. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kern/kernel_features.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/verifier_log.h"
#include "portcullis.skel.h"

static bool verbose;

/* Every message is kept for pc_vlog_explain(); shown with -v. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	(void)level;
	va_copy(copy, ap);
	pc_vlog_add(fmt, copy);
	va_end(copy);
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static bool print_set;

void pc_set_verbose(bool on)
{
	verbose = on;
	print_set = true;
	libbpf_set_print(print_libbpf);
}

/* One map's contents: n values of size bytes each, at keys 0..n-1. */
struct fill {
	struct bpf_map *map;
	const void *values;
	uint32_t n;
	uint32_t size;
};

static uint32_t at_least_one(uint32_t n)
{
	return n ? n : 1;
}

static int size_maps(struct portcullis *s, const struct pc_profile *p, const struct pc_image *img,
		     const struct pc_lineage *prev, struct pc_err *e)
{
	struct {
		struct bpf_map *map;
		uint32_t n;
	} sz[] = {
		{ s->maps.counters, PC_CNT_IMPLICIT + img->n_rules },
		{ s->maps.carry, PC_CNT_IMPLICIT + img->n_rules },
		{ s->maps.ecounters, PC_CNT_IMPLICIT + img->n_rules },
		{ s->maps.ecarry, PC_CNT_IMPLICIT + img->n_rules },
		{ s->maps.flows, p->opt.flows_max },
		{ s->maps.flow_remap, at_least_one(prev ? prev->n_remap : 0) },
		{ s->maps.trie_chunks, at_least_one(img->n_chunks) },
		{ s->maps.dirs, img->n_classes },
		{ s->maps.pages, img->n_pages },
		{ s->maps.rule_info, at_least_one(img->n_rules) },
		{ s->maps.files, at_least_one(img->n_files) },
	};

	for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		int err = bpf_map__set_max_entries(sz[i].map, sz[i].n);

		if (err)
			return pc_fail(e, err, NULL, "sizing map %s to %u entries",
				       bpf_map__name(sz[i].map), sz[i].n);
	}
	return 0;
}

/* The profile's `set log RATE/s` is the total for the interface; the program keeps a
 * budget per CPU (no shared state on the drop path), so each CPU gets
 * ceil(RATE / online CPUs). The total stays at or near RATE when drops are spread
 * over every CPU, and is less when they arrive on fewer (one RX queue: RATE / CPUs). */
static uint32_t log_rate_per_cpu(uint32_t rate)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpu < 1)
		ncpu = 1;
	return (uint32_t)((rate + (uint64_t)ncpu - 1) / (uint64_t)ncpu);
}

void pc_program_set_options(struct portcullis *s, const struct pc_options *o)
{
	s->rodata->cfg_log_rate = log_rate_per_cpu(o->log_rate);
	s->rodata->cfg_state = o->state;
	s->rodata->cfg_non_ip_pass = o->non_ip_pass;
	s->rodata->cfg_fragments = o->fragments;
	s->rodata->cfg_default_pass = o->default_pass;
	s->rodata->cfg_eph_lo = o->eph_lo;
	s->rodata->cfg_eph_hi = o->eph_hi;
	s->rodata->cfg_egress_enforce = o->egress_enforce;
	s->rodata->cfg_timeout_tcp_ns = (uint64_t)o->timeout_tcp * 1000000000ULL;
	s->rodata->cfg_timeout_udp_ns = (uint64_t)o->timeout_udp * 1000000000ULL;
	s->rodata->cfg_timeout_icmp_ns = (uint64_t)o->timeout_icmp * 1000000000ULL;
}

void pc_program_set_lineage(struct portcullis *s, uint32_t n_rules, const struct pc_lineage *l)
{
	s->rodata->cfg_n_rules = n_rules;
	s->rodata->cfg_gen = l ? l->gen : 1;
	s->rodata->cfg_gen_prev = l ? l->gen_prev : 0;
}

void pc_load_info_set_options(struct pc_load_info *li, const struct pc_options *o)
{
	li->state = o->state;
	li->non_ip_pass = o->non_ip_pass;
	li->fragments = o->fragments;
	li->default_pass = o->default_pass;
	li->eph_lo = o->eph_lo;
	li->eph_hi = o->eph_hi;
	li->log_rate = o->log_rate;
	li->egress_enforce = o->egress_enforce;
	li->timeout_tcp = o->timeout_tcp;
	li->timeout_udp = o->timeout_udp;
	li->timeout_icmp = o->timeout_icmp;
	li->flows_max = o->flows_max;
}

void pc_load_info_options(const struct pc_load_info *li, struct pc_options *o)
{
	memset(o, 0, sizeof(*o));
	o->state = li->state;
	o->non_ip_pass = li->non_ip_pass;
	o->fragments = li->fragments;
	o->default_pass = li->default_pass;
	o->eph_lo = li->eph_lo;
	o->eph_hi = li->eph_hi;
	o->log_rate = li->log_rate;
	o->egress_enforce = li->egress_enforce;
	o->timeout_tcp = li->timeout_tcp;
	o->timeout_udp = li->timeout_udp;
	o->timeout_icmp = li->timeout_icmp;
	o->flows_max = li->flows_max;
}

/* Array maps take the whole image in a few batch calls rather than one syscall per
 * entry: a large profile has millions of slots. */
static int fill_map(const struct fill *f, struct pc_err *e)
{
	const uint32_t batch = 65536;
	uint32_t *keys;
	int fd = bpf_map__fd(f->map), err = 0;

	if (!f->n)
		return 0;
	keys = malloc(sizeof(*keys) * (f->n < batch ? f->n : batch));
	if (!keys)
		return pc_fail(e, ENOMEM, NULL, "filling map %s", bpf_map__name(f->map));
	for (uint32_t first = 0; first < f->n && !err; first += batch) {
		uint32_t count = f->n - first < batch ? f->n - first : batch;

		for (uint32_t i = 0; i < count; i++)
			keys[i] = first + i;
		if (bpf_map_update_batch(fd, keys,
					 (const char *)f->values + (size_t)first * f->size, &count,
					 NULL))
			err = pc_fail(e, errno, NULL, "bpf_map_update_batch on map %s",
				      bpf_map__name(f->map));
	}
	free(keys);
	return err;
}

static int fill_maps(struct portcullis *s, const struct pc_image *img,
		     const struct pc_lineage *prev, struct pc_err *e)
{
	const struct fill fills[] = {
		/* The image's flat arrays are these values laid end to end. */
		{ s->maps.trie_root, img->root, 2, sizeof(struct pc_trie_root) },
		{ s->maps.trie_chunks, img->chunks, img->n_chunks, sizeof(struct pc_trie_chunk) },
		{ s->maps.dirs, img->dirs, img->n_classes, sizeof(struct pc_dir) },
		{ s->maps.pages, img->pages, img->n_pages, sizeof(struct pc_page) },
		{ s->maps.rule_info, img->info, img->n_rules, sizeof(*img->info) },
		{ s->maps.files, img->files, img->n_files, sizeof(*img->files) },
		{ s->maps.flow_remap, prev ? prev->remap : NULL, prev ? prev->n_remap : 0,
		  sizeof(uint16_t) },
	};

	for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
		if (fill_map(&fills[i], e))
			return -1;
	return 0;
}

unsigned pc_program_features(const struct portcullis *s)
{
	unsigned f = PC_FEAT_PROBED | (pc_features_probe() & PC_FEAT_TCX);

	if (s->rodata->cfg_has_coarse_clock)
		f |= PC_FEAT_COARSE_CLOCK;
	if (s->rodata->cfg_has_xdp_load_bytes)
		f |= PC_FEAT_XDP_LOAD_BYTES;
	return f;
}

int pc_program_load(struct portcullis *s, const char *what, struct pc_err *e)
{
	unsigned have = pc_features_probe();
	size_t elf_size;
	const void *elf = portcullis__elf_bytes(&elf_size);
	int err;

	s->rodata->cfg_has_coarse_clock = !!(have & PC_FEAT_COARSE_CLOCK);
	s->rodata->cfg_has_xdp_load_bytes = !!(have & PC_FEAT_XDP_LOAD_BYTES);
	if (!print_set) /* the log is kept even when no one asked to see it */
		pc_set_verbose(false);
	pc_vlog_reset();
	err = portcullis__load(s);
	if (err)
		pc_vlog_explain(elf, elf_size, err, what, e);
	pc_vlog_reset();
	return err ? -1 : 0;
}

int pc_program_create(const struct pc_profile *p, const struct pc_image *img,
		      const struct pc_lineage *prev, struct portcullis **out, struct pc_err *e)
{
	struct portcullis *s = portcullis__open();
	int err;

	if (!s)
		return pc_fail(e, errno, "run with -v to see libbpf's messages",
			       "opening the BPF object");
	if (size_maps(s, p, img, prev, e))
		goto fail;
	if (prev && prev->flows_fd >= 0 &&
	    (err = bpf_map__reuse_fd(s->maps.flows, prev->flows_fd))) {
		pc_fail(e, err, NULL, "reusing the pinned flow table");
		goto fail;
	}
	pc_program_set_options(s, &p->opt);
	pc_program_set_lineage(s, img->n_rules, prev);
	if (pc_program_load(s, "loading the XDP program into the kernel (bpf BPF_PROG_LOAD)", e))
		goto fail;
	if (fill_maps(s, img, prev, e))
		goto fail;
	*out = s;
	return 0;
fail:
	portcullis__destroy(s);
	return -1;
}

int pc_counters_read(int fd, uint32_t n, struct pc_count *out, struct pc_err *e)
{
	int ncpu = libbpf_num_possible_cpus();
	struct pc_count *percpu;

	if (ncpu < 0)
		return pc_fail(e, ncpu, NULL, "counting possible CPUs");
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return pc_fail(e, ENOMEM, NULL, "reading counters");
	for (uint32_t k = 0; k < n; k++) {
		out[k] = (struct pc_count){ 0 };
		if (bpf_map_lookup_elem(fd, &k, percpu)) {
			free(percpu);
			return pc_fail(e, errno, NULL, "reading counter %u", k);
		}
		for (int c = 0; c < ncpu; c++) {
			out[k].packets += percpu[c].packets;
			out[k].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return 0;
}

/* The maps a twin shares with the generation it copies: the lookup tables, which
 * every program has, and the flow table, which programs from before it lack. */
static int twin_share(struct portcullis *s, const char *gdir, struct pc_err *e)
{
	static const char *const names[] = { "trie_root", "trie_chunks", "dirs",
					     "pages",	  PC_PIN_FLOWS,	 "flow_remap" };
	struct bpf_map *maps[] = { s->maps.trie_root, s->maps.trie_chunks, s->maps.dirs,
				   s->maps.pages,     s->maps.flows,	   s->maps.flow_remap };

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct pc_err ignore;
		int fd = pc_pin_open(gdir, names[i], i < 4 ? e : &ignore), err;

		if (fd < 0 && i >= 4)
			continue;
		if (fd < 0)
			return -1;
		err = bpf_map__reuse_fd(maps[i], fd);
		close(fd);
		if (err)
			return pc_fail(e, err, NULL, "reusing the pinned map %s", names[i]);
	}
	return 0;
}

int pc_program_twin(const char *gdir, const struct pc_options *opt, uint32_t n_rules,
		    const struct pc_lineage *lin, struct portcullis **out, struct pc_err *e)
{
	struct portcullis *s = portcullis__open();

	*out = NULL;
	if (!s)
		return pc_fail(e, errno, NULL, "opening the BPF object");
	if (twin_share(s, gdir, e))
		goto fail;
	bpf_map__set_max_entries(s->maps.counters, PC_CNT_IMPLICIT + n_rules);
	pc_program_set_options(s, opt);
	pc_program_set_lineage(s, n_rules, lin);
	if (pc_program_load(s, "loading a twin of the running program", e))
		goto fail;
	*out = s;
	return 0;
fail:
	portcullis__destroy(s);
	return -1;
}

void pc_program_destroy(struct portcullis *s)
{
	portcullis__destroy(s);
}

int pc_program_fd(const struct portcullis *s)
{
	return bpf_program__fd(s->progs.portcullis_xdp);
}

int pc_program_map_fd(const struct portcullis *s, const char *name)
{
	return bpf_object__find_map_fd_by_name(s->obj, name);
}

int pc_program_judge_init(const struct portcullis *s, uint32_t n_rules, unsigned flags,
			  struct pc_judge *j, struct pc_err *e)
{
	return pc_judge_init(j, pc_program_fd(s), bpf_map__fd(s->maps.counters),
			     PC_CNT_IMPLICIT + n_rules, flags, e);
}
