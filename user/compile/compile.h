/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The compiler: an ordered rule list -> the contents of the program's array maps,
 * such that one walk of the address trie and one page lookup per table answer the
 * FIRST matching rule, whatever the number of rules. */
#ifndef PC_COMPILE_COMPILE_H
#define PC_COMPILE_COMPILE_H

#include <stdint.h>

#include "profile/profile.h"

struct pc_image {
	uint32_t *root;	  /* 2 * PC_TRIE_ROOT_SIZE entries, as trie_root */
	uint32_t *chunks; /* n_chunks * PC_TRIE_CHUNK entries, as trie_chunks */
	uint32_t n_chunks;
	uint32_t *dirs; /* n_classes * PC_DIR_SLOTS, as dirs */
	uint32_t n_classes;
	pc_verdict_t *pages; /* n_pages * PC_PAGE_SIZE, as pages; page 0 is zero */
	uint32_t n_pages;
	uint32_t n_rules;
	struct pc_rule_info *info;  /* n_rules, as rule_info */
	struct pc_file_name *files; /* n_files, as files: the diagnostics' sources */
	uint32_t n_files;
	/* Per rule: table slots (class x table x port) it decides, and those it wanted
	 * but an earlier rule had; how `check` tells a shadowed rule. */
	uint64_t *wins;
	uint64_t *lost;
};

/* Compiles p into img. Warnings (shadowed rules, empty peers) and errors (limits,
 * options the program cannot honour yet) go to d. Returns 0 or -1 on error. */
int pc_compile(const struct pc_profile *p, struct pc_image *img, struct pc_diags *d);
void pc_image_free(struct pc_image *img);

/* Bytes the maps of img occupy in the kernel (values only), for `status`. */
uint64_t pc_image_bytes(const struct pc_image *img);

/* The program's lookups, done in userspace on an image: the class of a source
 * address (family 4 or 6, addr in network order) and the verdict of a table slot.
 * Used by `explain` and by the tests that compare compiler and program. */
uint32_t pc_image_class(const struct pc_image *img, int family, const uint8_t *addr);
pc_verdict_t pc_image_verdict(const struct pc_image *img, uint32_t cls, enum pc_table t,
			      unsigned index);

#endif /* PC_COMPILE_COMPILE_H */
