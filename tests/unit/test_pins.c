// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The pin names of include/portcullis.h that name maps are the maps' own names in the
 * BPF object: a map renamed in bpf/maps.h without its constant would leave every
 * reader opening a pin that is never made. Opening the skeleton needs no privilege. */
#include <bpf/libbpf.h>

#include "harness.h"
#include "portcullis.h"
#include "portcullis.skel.h"

TEST(map_pins_are_map_names)
{
	static const char *const pins[] = { PC_PIN_LOAD_INFO, PC_PIN_RULE_INFO, PC_PIN_FILES,
					    PC_PIN_COUNTERS,  PC_PIN_ECOUNTERS, PC_PIN_CARRY,
					    PC_PIN_ECARRY,    PC_PIN_FLOWS,	PC_PIN_EVENTS,
					    PC_PIN_LOG_BUDGET };
	struct portcullis *s = portcullis__open();

	EXPECT_TRUE(s != NULL);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->obj, pins[i]);

		EXPECT_TRUE(m != NULL);
		if (!m)
			fprintf(stderr, "  no map named %s\n", pins[i]);
	}
	portcullis__destroy(s);
}
