// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What `refresh` stands on without a kernel: the host names' record a load keeps (text
 * and back), the parse that keeps a vanished name's last addresses, the digest that
 * tells an edited profile from a re-resolved one, and when --every runs next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "profile/digest.h"
#include "profile/host_ttl.h"
#include "profile/hosts.h"
#include "profile/prefix.h"

#define ZERO_SHA "0000000000000000000000000000000000000000000000000000000000000000"

static struct pc_prefix addr(const char *text)
{
	struct pc_hosts h;
	uint8_t d[PC_SHA256_LEN];
	char rec[192];
	struct pc_prefix p = { 0 };

	snprintf(rec, sizeof(rec), "portcullis-hosts 1\nsha256 %s\nx %s\n", ZERO_SHA, text);
	if (!pc_hosts_parse(rec, &h, d) && h.n == 1 && h.v[0].n == 1)
		p = h.v[0].v[0];
	pc_hosts_free(&h);
	return p;
}

/* A profile file of text in a directory of its own; path receives its name. */
static void write_profile(const char *dir, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/p.conf", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(record_round_trip)
{
	struct pc_prefix a[] = { addr("192.0.2.1"), addr("192.0.2.9"), addr("2001:db8::25") };
	struct pc_host v[] = { { .name = "dcc1.esvacloud.com", .v = a, .n = 3 },
			       { .name = "gone.example", .v = NULL, .n = 0 } };
	struct pc_hosts in = { .v = v, .n = 2 }, out;
	uint8_t sum[PC_SHA256_LEN], digest[PC_SHA256_LEN] = { 0 };
	char *text;
	char buf[256];

	for (int i = 0; i < PC_SHA256_LEN; i++)
		sum[i] = (uint8_t)(i * 7 + 1);
	text = pc_hosts_format(&in, sum);
	EXPECT_TRUE(text != NULL);
	EXPECT_EQ(pc_hosts_parse(text, &out, digest), 0);
	EXPECT_TRUE(!memcmp(digest, sum, PC_SHA256_LEN));
	EXPECT_EQ(out.n, 2);
	if (out.n == 2) {
		EXPECT_STR(out.v[0].name, "dcc1.esvacloud.com");
		EXPECT_TRUE(pc_host_same(&out.v[0], &v[0]));
		EXPECT_STR(pc_host_addrs(&out.v[0], buf, sizeof(buf)),
			   "192.0.2.1, 192.0.2.9, 2001:db8::25");
		EXPECT_STR(out.v[1].name, "gone.example");
		EXPECT_EQ(out.v[1].n, 0);
		EXPECT_STR(pc_host_addrs(&out.v[1], buf, sizeof(buf)), "no address");
		EXPECT_TRUE(!pc_host_same(&out.v[0], &out.v[1]));
		EXPECT_TRUE(pc_hosts_find(&out, "gone.example") == &out.v[1]);
		EXPECT_TRUE(pc_hosts_find(&out, "dcc2.esvacloud.com") == NULL);
	}
	pc_hosts_free(&out);
	free(text);
}

TEST(record_refuses_other_text)
{
	struct pc_hosts h;
	uint8_t d[PC_SHA256_LEN];

	EXPECT_EQ(pc_hosts_parse("portcullis-hosts 2\nsha256 " ZERO_SHA "\n", &h, d), -1);
	EXPECT_EQ(pc_hosts_parse("deadline=1 prev=g1", &h, d), -1);
	EXPECT_EQ(pc_hosts_parse("portcullis-hosts 1\nsha256 " ZERO_SHA "\nx 300.1.2.3\n", &h, d),
		  -1);
	EXPECT_EQ(pc_hosts_parse("portcullis-hosts 1\ndigest 0\n", &h, d), -1);
	EXPECT_EQ(h.n, 0);
	EXPECT_EQ(pc_hosts_parse("portcullis-hosts 1\nsha256 " ZERO_SHA "\n", &h, d), 0);
	EXPECT_EQ(h.n, 0);
}

/* .invalid never resolves (RFC 6761): the name of a DNS outage. */
TEST(vanished_name_keeps_its_addresses)
{
	const char *text = "zone dcc dcc.example.invalid\n"
			   "allow in from dcc tcp port 2703\n";
	struct pc_prefix a = addr("192.0.2.7");
	struct pc_host v = { .name = "dcc.example.invalid", .v = &a, .n = 1 };
	struct pc_hosts last = { .v = &v, .n = 1 };
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	char dir[] = "/tmp/pc-hosts-XXXXXX", path[64], pfx[64];

	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
	write_profile(dir, text, path, sizeof(path));

	/* A load: the name matches nothing, with a warning. */
	EXPECT_EQ(pc_profile_parse(path, &p, &d), 0);
	EXPECT_EQ(d.n_warnings, 1);
	EXPECT_EQ(p.n_zones == 1 ? p.zones[0].n_prefixes : 99, 0);
	EXPECT_EQ(p.hosts.n, 1);
	EXPECT_TRUE(p.hosts.n == 1 && !p.hosts.v[0].kept && p.hosts.v[0].gai_err);
	pc_profile_free(&p);
	pc_diags_free(&d);

	/* A refresh: the recorded address stays, marked kept, and refresh says so. */
	EXPECT_EQ(pc_profile_parse_keeping(path, &last, &p, &d), 0);
	EXPECT_EQ(d.n_warnings, 0);
	EXPECT_EQ(p.n_zones == 1 ? p.zones[0].n_prefixes : 99, 1);
	if (p.n_zones == 1 && p.zones[0].n_prefixes == 1)
		EXPECT_STR(pc_prefix_text(&p.zones[0].prefixes[0], pfx, sizeof(pfx)), "192.0.2.7");
	EXPECT_TRUE(p.hosts.n == 1 && p.hosts.v[0].kept && pc_host_same(&p.hosts.v[0], &v));
	pc_profile_free(&p);
	pc_diags_free(&d);
	unlink(path);
	rmdir(dir);
}

/* A name that answers takes its answer, whatever was recorded. */
TEST(answering_name_takes_its_answer)
{
	struct pc_prefix a = addr("192.0.2.7");
	struct pc_host v = { .name = "localhost", .v = &a, .n = 1 };
	struct pc_hosts last = { .v = &v, .n = 1 };
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	char dir[] = "/tmp/pc-hosts-XXXXXX", path[64];

	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
	write_profile(dir, "allow in from localhost tcp port 25\n", path, sizeof(path));
	EXPECT_EQ(pc_profile_parse_keeping(path, &last, &p, &d), 0);
	EXPECT_TRUE(p.hosts.n == 1 && !p.hosts.v[0].kept && p.hosts.v[0].n >= 1);
	EXPECT_TRUE(p.hosts.n == 1 && !pc_host_same(&p.hosts.v[0], &v));
	pc_profile_free(&p);
	pc_diags_free(&d);
	unlink(path);
	rmdir(dir);
}

/* The text decides, not the path it was read through; one byte of it does. */
TEST(digest_is_the_text)
{
	const char *text = "zone lan 10.0.0.0/8\nallow in from lan tcp port 22\n";
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	char dir[] = "/tmp/pc-hosts-XXXXXX", path[64], other[128];
	uint8_t first[PC_SHA256_LEN], again[PC_SHA256_LEN];

	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
	write_profile(dir, text, path, sizeof(path));
	EXPECT_EQ(pc_profile_parse(path, &p, &d), 0);
	memcpy(first, p.sha256, PC_SHA256_LEN);
	pc_profile_free(&p);
	pc_diags_free(&d);
	snprintf(other, sizeof(other), "%s/../%s/p.conf", dir, strrchr(dir, '/') + 1);
	EXPECT_EQ(pc_profile_parse(other, &p, &d), 0);
	EXPECT_TRUE(!memcmp(p.sha256, first, PC_SHA256_LEN));
	pc_profile_free(&p);
	pc_diags_free(&d);
	EXPECT_EQ(pc_profile_parse_string("t.conf", text, &p, &d), 0);
	EXPECT_TRUE(!memcmp(p.sha256, first, PC_SHA256_LEN));
	pc_profile_free(&p);
	pc_diags_free(&d);
	write_profile(dir, "zone lan 10.0.0.0/8\nallow in from lan tcp port 23\n", path,
		      sizeof(path));
	EXPECT_EQ(pc_profile_parse(path, &p, &d), 0);
	memcpy(again, p.sha256, PC_SHA256_LEN);
	EXPECT_TRUE(memcmp(again, first, PC_SHA256_LEN));
	pc_profile_free(&p);
	pc_diags_free(&d);
	unlink(path);
	rmdir(dir);
}

/* --every SECONDS, unless the answers live longer. */
TEST(next_refresh)
{
	EXPECT_EQ(pc_refresh_delay(60, false, 0), 60);
	EXPECT_EQ(pc_refresh_delay(60, true, 30), 60);
	EXPECT_EQ(pc_refresh_delay(60, true, 300), 300);
	EXPECT_EQ(pc_refresh_delay(1, true, 0), 1);
}
