// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The host-name record of a generation: text (profile/hosts.h) in the one value of an
 * array map the loader creates and pins beside the program's maps. bpffs holds only
 * BPF objects and symlinks, and a symlink's target ends at 4 KiB, less than a few
 * hundred names with their IPv6 addresses; a map's value holds megabytes, and the
 * generation's removal takes it along with the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kern/host_record.h"
#include "kern/pins.h"
#include "portcullis.h"
#include "profile/hosts.h"

int pc_host_record_write(const char *gdir, const struct pc_profile *p, struct pc_err *e)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_RDONLY_PROG);
	char *text = pc_hosts_format(&p->hosts, p->sha256), *value;
	/* An array's values are 8-byte aligned; the rest is NUL. */
	size_t len = text ? (strlen(text) + 8) & ~(size_t)7 : 0;
	uint32_t k = 0;
	int fd = -1, err;

	value = text ? calloc(1, len) : NULL;
	if (!value) {
		free(text);
		return pc_fail(e, ENOMEM, NULL, "recording the host names");
	}
	memcpy(value, text, strlen(text));
	free(text);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PC_PIN_HOSTS, sizeof(k), (uint32_t)len, 1, &mo);
	if (fd < 0)
		err = pc_fail(e, errno, PC_ADVICE_PRIV,
			      "creating the host names' record (bpf BPF_MAP_CREATE, %zu bytes)",
			      len);
	else if (bpf_map_update_elem(fd, &k, value, 0))
		err = pc_fail(e, errno, NULL, "bpf_map_update_elem on the host names' record");
	else
		err = pc_pin(gdir, PC_PIN_HOSTS, fd, e);
	if (fd >= 0)
		close(fd);
	free(value);
	return err;
}

int pc_host_record_read(const char *gdir, struct pc_hosts *hosts, uint8_t sha256[PC_SHA256_LEN],
			struct pc_err *e)
{
	struct bpf_map_info mi = { 0 };
	uint32_t len = sizeof(mi), k = 0;
	char *value = NULL;
	int fd, err = -1;

	if (!pc_pin_exists(gdir, PC_PIN_HOSTS)) {
		pc_fail(e, ENOENT, NULL, "%s/%s", gdir, PC_PIN_HOSTS);
		errno = ENOENT;
		return -1;
	}
	if ((fd = pc_pin_open(gdir, PC_PIN_HOSTS, e)) < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || !mi.value_size ||
	    !(value = calloc(1, (size_t)mi.value_size + 1))) {
		pc_fail(e, errno ? errno : ENOMEM, NULL, "reading %s/%s", gdir, PC_PIN_HOSTS);
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &k, value)) {
		pc_fail(e, errno, NULL, "bpf_map_lookup_elem on %s/%s", gdir, PC_PIN_HOSTS);
		goto out;
	}
	if (pc_hosts_parse(value, hosts, sha256)) {
		pc_fail(e, EINVAL, NULL, "%s/%s is not a host-name record this portcullis reads",
			gdir, PC_PIN_HOSTS);
		errno = EINVAL;
		goto out;
	}
	err = 0;
out:
	free(value);
	close(fd);
	return err;
}
