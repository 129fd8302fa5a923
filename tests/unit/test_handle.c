/* test_handle.c - the handle identifier kind: platform accounts and profile URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"

struct handle_case {
	const char *in;
	const char *canonical; /* NULL: must be rejected */
	const char *type;      /* account_type; when rejected: a substring of the error */
};

#define BAD(in, msg)          \
	{                     \
		in, NULL, msg \
	}

static const struct handle_case cases[] = {
	{ "instagram:@Name", "instagram:@name", "username" },
	{ "instagram:name", "instagram:@name", "username" },
	{ "Instagram: @name ", "instagram:@name", "username" },
	{ "https://www.instagram.com/name/", "instagram:@name", "username" },
	{ "instagram.com/Some.User_1?igsh=abc", "instagram:@some.user_1", "username" },
	{ "https://instagram.com/stories/some.user/123/", "instagram:@some.user", "username" },
	{ "HTTPS://WWW.INSTAGRAM.COM/NAME", "instagram:@name", "username" },
	{ "https://twitter.com/Name", "x:@name", "username" },
	{ "twitter:@Jack", "x:@jack", "username" },
	{ "X:jack_1", "x:@jack_1", "username" },
	{ "https://x.com/elonmusk/status/123456", "x:@elonmusk", "username" },
	{ "http://mobile.twitter.com/Jack?lang=nl#top", "x:@jack", "username" },
	{ "marktplaats:12345", "marktplaats:12345", "id" },
	{ "https://www.marktplaats.nl/u/jan-jansen/12345678/", "marktplaats:12345678", "id" },
	{ "https://www.marktplaats.nl/verkopers/4567.html", "marktplaats:4567", "id" },
	{ "facebook:john.smith", "facebook:john.smith", "username" },
	{ "https://www.facebook.com/profile.php?id=100012345678901", "facebook:100012345678901",
	  "id" },
	{ "https://m.facebook.com/John.Smith/", "facebook:john.smith", "username" },
	{ "https://www.facebook.com/people/Jan-Jansen/100089012345678/", "facebook:100089012345678",
	  "id" },
	{ "tiktok:@Some_User", "tiktok:@some_user", "username" },
	{ "https://www.tiktok.com/@some.user/video/123", "tiktok:@some.user", "username" },
	{ "telegram:@Durov", "telegram:@durov", "username" },
	{ "https://t.me/s/durov_channel", "telegram:@durov_channel", "username" },
	{ "telegram.me/Example_Bot", "telegram:@example_bot", "username" },
	{ "snapchat:Some.One", "snapchat:some.one", "username" },
	{ "https://www.snapchat.com/add/some-one", "snapchat:some-one", "username" },
	{ "linkedin:jan-jansen-123", "linkedin:jan-jansen-123", "username" },
	{ "https://nl.linkedin.com/in/Jan-Jansen-123/", "linkedin:jan-jansen-123", "username" },
	{ "youtube:@SomeChannel", "youtube:@somechannel", "username" },
	{ "https://www.youtube.com/@Some.Channel/videos", "youtube:@some.channel", "username" },
	{ "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
	  "youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw", "channel" },
	{ "youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw", "youtube:UC_x5XG1OV2P6uZZ5FSM9Ttw", "channel" },
	{ "youtube:@UC_x5XG1OV2P6uZZ5FSM9Ttw", "youtube:@uc_x5xg1ov2p6uzz5fsm9ttw", "username" },
	{ "vinted:98765", "vinted:98765", "id" },
	{ "https://www.vinted.nl/member/98765432-janjansen", "vinted:98765432", "id" },
	{ "https://www.vinted.co.uk/member/123", "vinted:123", "id" },
	{ "tweakers:654321", "tweakers:654321", "id" },
	{ "https://tweakers.net/gallery/654321/", "tweakers:654321", "id" },
	{ "tweakers:Some_User", "tweakers:some_user", "username" },

	BAD("myspace:tom", "unknown platform 'myspace'; known: marktplaats, instagram"),
	BAD("@name", "'@name' names no platform"),
	BAD("name", "names no platform"),
	BAD("   ", "empty handle"),
	BAD("instagram:", "empty instagram account"),
	BAD("instagram:@", "empty instagram account"),
	BAD("instagram:na me", "invalid instagram account 'na me': character ' ' at position 3"),
	BAD("instagram:abcdefghijklmnopqrstuvwxyz12345", "too long; allowed: 1 to 30"),
	BAD("instagram:n\xc3\xa4me", "character '?' at position 2"),
	BAD("x:abcdefghijklmnop", "too long; allowed: 1 to 15"),
	BAD("x:jack.dorsey", "character '.' at position 5"),
	BAD("telegram:abc", "too short"),
	BAD("telegram:1abcde", "does not start with a letter"),
	BAD("marktplaats:jan-jansen", "invalid marktplaats account 'jan-jansen': not a number"),
	BAD("marktplaats:1234567890123", "id too long"),
	BAD("https://www.marktplaats.nl/l/auto-s/123", "not a profile url of marktplaats"),
	BAD("whatsapp:+31612345678", "report '+31612345678' as kind phone"),
	BAD("https://wa.me/31612345678", "report '+31612345678' as kind phone"),
	BAD("https://api.whatsapp.com/send?phone=31612345678&text=hi",
	    "report '+31612345678' as kind phone"),
	BAD("whatsapp:jan", "whatsapp accounts are phone numbers"),
	BAD("https://www.instagram.com/p/CxYz123/", "is a post or other page on instagram"),
	BAD("https://twitter.com/i/web/status/1", "is a post or other page on x"),
	BAD("https://www.facebook.com/groups/123", "is a post or other page on facebook"),
	BAD("https://t.me/+AbCdEf", "telegram invite link"),
	BAD("https://t.me/joinchat/AbC", "telegram invite link"),
	BAD("https://www.tiktok.com/video/123", "not a profile url of tiktok"),
	BAD("https://vm.tiktok.com/ZMabc/", "not a profile url of tiktok"),
	BAD("https://www.linkedin.com/company/acme", "not a profile url of linkedin"),
	BAD("https://www.youtube.com/watch?v=abc", "not a profile url of youtube"),
	BAD("https://youtu.be/abc", "unknown site 'youtu.be'"),
	BAD("https://example.com/name", "unknown site 'example.com'"),
	BAD("https://user@instagram.com/name", "user info"),
	BAD("https://www.instagram.com/", "not a profile url of instagram"),
	BAD("facebook:abc", "too short"),
	BAD("facebook:.john", "starts or ends with punctuation"),
	BAD("snapchat:1abc", "does not start with a letter"),
	BAD("linkedin:jan%20jansen", "character '%' at position 4"),
	BAD("https://linkedin.com/in/jos%C3%A9", "percent-encoded characters"),
	BAD("vinted:janjansen", "not a number"),
	BAD("https://www.vinted.nl/catalog/123", "not a profile url of vinted"),
	BAD("tweakers:a", "too short"),
	BAD("notvinted.nl/member/1", "names no platform"),
};

static void check_idempotent(const char *canonical)
{
	struct ident again = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc;

	rc = ident_handle_normalize(&again, canonical, strlen(canonical), err, sizeof(err));
	if (rc != IDENT_OK)
		fail_msg("canonical '%s' rejected: %s", canonical, err);
	assert_string_equal(again.canonical, canonical);
	ident_release(&again);
}

static void test_handle_table(void **state)
{
	size_t nvalid = 0, ninvalid = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct handle_case *c = &cases[i];
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX] = "";
		int rc = ident_handle_normalize(&id, c->in, strlen(c->in), err, sizeof(err));

		if (c->canonical) {
			const char *colon = strchr(c->canonical, ':');
			const char *acc = colon[1] == '@' ? colon + 2 : colon + 1;

			if (rc != IDENT_OK)
				fail_msg("'%s' rejected: %s", c->in, err);
			assert_string_equal(id.canonical, c->canonical);
			assert_int_equal(strlen(ident_attr_get(&id, "platform")),
					 (size_t)(colon - c->canonical));
			assert_memory_equal(ident_attr_get(&id, "platform"), c->canonical,
					    (size_t)(colon - c->canonical));
			assert_string_equal(ident_attr_get(&id, "account"), acc);
			assert_string_equal(ident_attr_get(&id, "account_type"), c->type);
			check_idempotent(id.canonical);
			nvalid++;
		} else {
			if (rc != IDENT_EINVAL)
				fail_msg("'%s' accepted as '%s'", c->in,
					 id.canonical ? id.canonical : "");
			if (!strstr(err, c->type))
				fail_msg("'%s': error '%s' lacks '%s'", c->in, err, c->type);
			ninvalid++;
		}
		ident_release(&id);
	}
	assert_int_equal(nvalid, 39);
	assert_int_equal(ninvalid, 42);
}

/* The unknown-platform message lists every platform and still fits. */
static void test_handle_unknown_lists_all(void **state)
{
	static const char *const names[] = {
		"marktplaats", "instagram", "facebook", "tiktok",  "x",	     "telegram",
		"whatsapp",    "snapchat",  "linkedin", "youtube", "vinted", "tweakers",
	};
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *in = "averyveryverylongplatformnamethatgoesonandon:someone";

	(void)state;
	assert_int_equal(ident_handle_normalize(&id, in, strlen(in), err, sizeof(err)),
			 IDENT_EINVAL);
	assert_true(strlen(err) < sizeof(err) - 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(err, names[i]));
	ident_release(&id);
}

/* Input is given by length: bytes after it must not be read. */
static void test_handle_length_bound(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *in = "x:jackXXXX";

	(void)state;
	assert_int_equal(ident_handle_normalize(&id, in, 6, err, sizeof(err)), IDENT_OK);
	assert_string_equal(id.canonical, "x:@jack");
	ident_release(&id);
}

static void test_handle_out_of_memory(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	const char *in = "https://www.instagram.com/name/";

	(void)state;
	mem_fail_after(0);
	assert_int_equal(ident_handle_normalize(&id, in, strlen(in), err, sizeof(err)),
			 IDENT_ENOMEM);
	mem_fail_after(-1);
	ident_release(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handle_table),
		cmocka_unit_test(test_handle_unknown_lists_all),
		cmocka_unit_test(test_handle_length_bound),
		cmocka_unit_test(test_handle_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
