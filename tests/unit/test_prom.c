// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Prometheus exposition writer (observe/prom.c) on scrapes made by hand: each
 * family's HELP and TYPE once over two interfaces, a down interface as portcullis_up
 * 0 and nothing else, labels escaped, a rule's labels its text and line only; the
 * profile digest (profile/digest.c) on a known vector; the textfile (observe/
 * textfile.c) written whole under its name and nothing left beside it. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "observe/prom.h"
#include "observe/textfile.h"
#include "profile/digest.h"

static struct pc_rule_info rules[2] = {
	{ .line = 7,
	  .action = PC_ACT_PASS,
	  .direction = PC_DIR_IN,
	  .proto = "tcp",
	  .peer = "internet",
	  .match = "port 25",
	  .label = "SMTP" },
	{ .line = 9,
	  .action = PC_ACT_DROP,
	  .direction = PC_DIR_OUT,
	  .proto = "udp",
	  .peer = "lan",
	  .match = "port 53",
	  .label = "say \"hi\" \\ now\nplease" },
};

/* eth0 up with both rules, generation 5, counts k+1 packets and 100*(k+1) bytes at
 * index k; eth1 gone. */
static void make_scrape(struct pc_scrape *sc, struct pc_count *count)
{
	static struct pc_scrape_iface ifs[2];

	memset(ifs, 0, sizeof(ifs));
	for (unsigned k = 0; k < PC_CNT_IMPLICIT + 2; k++)
		count[k] = (struct pc_count){ k + 1, 100 * (k + 1) };
	snprintf(ifs[0].iface.name, sizeof(ifs[0].iface.name), "eth0");
	ifs[0].up = true;
	ifs[0].snap.load.loaded_at = 1700000000;
	ifs[0].snap.load.gen = 5;
	ifs[0].snap.load.flows_max = 1024;
	snprintf(ifs[0].snap.load.profile, sizeof(ifs[0].snap.load.profile), "/etc/p.conf");
	ifs[0].snap.load.profile_sha256[0] = 0xab;
	ifs[0].snap.n_rules = 2;
	ifs[0].snap.info = rules;
	ifs[0].snap.count = count;
	ifs[0].fp = (struct pc_footprint){ .map_bytes = 4096,
					   .flows = 3,
					   .has_flows = true,
					   .log_events = 2,
					   .has_events = true,
					   .log_lost = 7,
					   .has_lost = true };
	snprintf(ifs[1].iface.name, sizeof(ifs[1].iface.name), "eth1");
	ifs[1].iface.vanished = true;
	sc->ifs = ifs;
	sc->n = 2;
}

static char *render(void)
{
	struct pc_count count[PC_CNT_IMPLICIT + 2];
	struct pc_scrape sc;
	struct pc_err e;
	char *buf = NULL;
	size_t len = 0;

	make_scrape(&sc, count);
	EXPECT_EQ(pc_prom_render(&sc, &buf, &len, &e), 0);
	EXPECT_EQ(strlen(buf), len);
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

TEST(help_and_type_once_per_family)
{
	char *t = render(), name[128];

	for (const char *l = t; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "# HELP ", 7))
			continue;
		snprintf(name, sizeof(name), "# HELP %.*s ", (int)strcspn(l + 7, " "), l + 7);
		EXPECT_EQ(count_lines(t, name), 1);
		name[2] = 'T', name[3] = 'Y', name[4] = 'P', name[5] = 'E';
		EXPECT_TRUE(count_lines(t, name) == 1);
	}
	EXPECT_EQ(count_lines(t, "# HELP portcullis_rule_packets_total "), 1);
	free(t);
}

TEST(down_interface_is_up_0_alone)
{
	char *t = render();
	int n = 0;

	EXPECT_TRUE(strstr(t, "\nportcullis_up{iface=\"eth1\"} 0\n") != NULL);
	EXPECT_TRUE(strstr(t, "portcullis_up{iface=\"eth0\"} 1\n") != NULL);
	for (const char *p = t; (p = strstr(p, "iface=\"eth1\"")); p++)
		n++;
	EXPECT_EQ(n, 1);
	free(t);
}

TEST(rule_labels_are_text_and_line)
{
	char *t = render();

	EXPECT_TRUE(strstr(t, "\nportcullis_rule_packets_total{iface=\"eth0\",line=\"7\","
			      "action=\"allow\",direction=\"in\",zone=\"internet\",proto=\"tcp\","
			      "match=\"port 25\",label=\"SMTP\"} 6\n") != NULL);
	EXPECT_TRUE(strstr(t,
			   "\nportcullis_rule_bytes_total{iface=\"eth0\",line=\"9\","
			   "action=\"drop\",direction=\"out\",zone=\"lan\",proto=\"udp\","
			   "match=\"port 53\",label=\"say \\\"hi\\\" \\\\ now\\nplease\"} 700\n") !=
		    NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_implicit_packets_total{iface=\"eth0\","
			      "outcome=\"no-match\"} 5\n") != NULL);
	/* Nothing a reload changes: not the generation (5), not the rule's index. */
	EXPECT_TRUE(strstr(t, "gen") == NULL);
	/* No egress hook counters in this snapshot: the families, no samples. */
	EXPECT_EQ(count_lines(t, "portcullis_egress_"), 0);
	free(t);
}

TEST(profile_and_footprint)
{
	char *t = render();

	EXPECT_TRUE(strstr(t, "\nportcullis_profile_info{iface=\"eth0\",path=\"/etc/p.conf\","
			      "sha256=\"ab000000000000000000000000000000000000000000000000000000000"
			      "00000\"} 1\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_profile_loaded_timestamp_seconds{iface=\"eth0\"} "
			      "1700000000\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_flows{iface=\"eth0\"} 3\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_flows_max{iface=\"eth0\"} 1024\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_log_events_total{iface=\"eth0\"} 2\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_log_events_lost_total{iface=\"eth0\"} 7\n") != NULL);
	EXPECT_TRUE(strstr(t, "\nportcullis_map_bytes{iface=\"eth0\"} 4096\n") != NULL);
	free(t);
}

TEST(sha256_of_the_sources)
{
	struct pc_diags d = { 0 };
	uint8_t sum[PC_SHA256_LEN] = { 0 };
	char hex[2 * PC_SHA256_LEN + 1];

	pc_sha256_hex(sum, hex);
	EXPECT_STR(hex, "");
	pc_diags_add_source(&d, "a.conf", strdup("ab"));
	pc_diags_add_source(&d, "b.conf", strdup("c"));
	pc_profile_sha256(&d, 0, sum);
	pc_sha256_hex(sum, hex);
	/* FIPS 180-2's "abc": the sources one after the other. */
	EXPECT_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	pc_diags_free(&d);
}

TEST(textfile_whole_and_alone)
{
	char dir[] = "/tmp/pc-textfile-XXXXXX", path[64], got[32] = "";
	struct pc_err e;
	struct dirent *de;
	int n = 0;
	FILE *f;
	DIR *dd;

	EXPECT_TRUE(mkdtemp(dir) != NULL);
	EXPECT_EQ(pc_textfile_write(dir, "first\n", 6, &e), 0);
	EXPECT_EQ(pc_textfile_write(dir, "second\n", 7, &e), 0);
	snprintf(path, sizeof(path), "%s/" PC_TEXTFILE_NAME, dir);
	if ((f = fopen(path, "r"))) {
		EXPECT_TRUE(fgets(got, sizeof(got), f) != NULL);
		fclose(f);
	}
	EXPECT_STR(got, "second\n");
	dd = opendir(dir);
	while (dd && (de = readdir(dd)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
	if (dd)
		closedir(dd);
	EXPECT_EQ(n, 1);
	unlink(path);
	rmdir(dir);
	/* A directory that is not there: an error, not a crash. */
	EXPECT_EQ(pc_textfile_write("/nonexistent/pc", "x", 1, &e), -1);
	EXPECT_TRUE(strstr(e.msg, "/nonexistent/pc") != NULL);
}
