/*
 * handle.c - accounts on online platforms: canonical "platform:account".
 *
 * Input is "platform:account" (platform name case-insensitive, an optional
 * '@' before the account, "twitter" is an alias of "x") or a profile URL,
 * with or without scheme, on a known host or any of its subdomains
 * ("https://www.instagram.com/name/", "twitter.com/Name/status/1").
 *
 * | platform    | account                               | canonical                |
 * | ----------- | ------------------------------------- | ------------------------ |
 * | marktplaats | user id, 1-12 digits (/u/<name>/<id>/)| marktplaats:12345        |
 * | instagram   | 1-30 [a-z0-9._]                       | instagram:@name          |
 * | facebook    | 5-50 [a-z0-9.], or numeric id         | facebook:name, :1000...  |
 * | tiktok      | 2-24 [a-z0-9._] (/@name)              | tiktok:@name             |
 * | x (twitter) | 1-15 [a-z0-9_]                        | x:@name                  |
 * | telegram    | 5-32 [a-z0-9_], letter first          | telegram:@name           |
 * | whatsapp    | refused: a phone number               | (use kind phone)         |
 * | snapchat    | 3-15 [a-z0-9._-], letter first        | snapchat:name            |
 * | linkedin    | 3-100 [a-z0-9-] (/in/<slug>)          | linkedin:slug            |
 * | youtube     | 3-30 [a-z0-9._-] (/@name), or channel | youtube:@name,           |
 * |             | id UC + 22 [A-Za-z0-9_-] (/channel/)  | youtube:UCxxxx           |
 * | vinted      | member id (/member/<id>-<name>)       | vinted:12345             |
 * | tweakers    | user id (/gallery/<id>/), or 2-30     | tweakers:123,            |
 * |             | [a-z0-9._-]                           | tweakers:name            |
 *
 * Hosts: marktplaats.nl/.com, instagram.com, instagr.am, facebook.com, fb.com,
 * fb.me, tiktok.com, x.com, twitter.com, t.me, telegram.me, telegram.dog,
 * wa.me, whatsapp.com, snapchat.com, linkedin.com, youtube.com, vinted.<tld>,
 * tweakers.net.
 *
 * Why: '@' is kept where the platform itself writes accounts with it
 * (instagram, tiktok, x, telegram, youtube handles), so the canonical value
 * reads as users know it; elsewhere the account is a URL slug or a number.
 * Usernames are case-insensitive on every platform listed and are lower-cased;
 * a youtube channel id is case-sensitive and kept as is.  Marktplaats and
 * vinted display names are neither unique nor stable, so only the numeric id
 * from the profile URL identifies an account there.  WhatsApp accounts are
 * phone numbers: the caller is told to use kind "phone" so that the same
 * number matches however it was reported.
 *
 * Attributes: platform, account (canonical account without '@'), and
 * account_type (username, id, channel).
 */
#include "ident/ident.h"

#include <stdio.h>
#include <string.h>

#define QUOTE_MAX   48
#define ACCOUNT_MAX 100 /* longest account of any platform (linkedin) */
#define HOST_MAX    253

#define KNOWN_PLATFORMS                                                               \
	"marktplaats, instagram, facebook, tiktok, x, telegram, whatsapp, snapchat, " \
	"linkedin, youtube, vinted, tweakers"

enum platform_id {
	P_MARKTPLAATS,
	P_INSTAGRAM,
	P_FACEBOOK,
	P_TIKTOK,
	P_X,
	P_TELEGRAM,
	P_WHATSAPP,
	P_SNAPCHAT,
	P_LINKEDIN,
	P_YOUTUBE,
	P_VINTED,
	P_TWEAKERS,
	P_COUNT
};

/* How an account is checked: numeric ids, usernames, or either. */
enum account_form { FORM_ID, FORM_NAME, FORM_ID_OR_NAME };

struct platform {
	const char *name;
	const char *hosts[4];
	enum account_form form;
	int at;		   /* canonical username carries '@' */
	size_t min, max;   /* username length */
	const char *punct; /* allowed besides a-z and 0-9 */
	int letter_first;
	int punct_inside; /* punctuation neither first nor last */
	const char *rule; /* for error messages */
};

static const struct platform platforms[P_COUNT] = {
	[P_MARKTPLAATS] = { "marktplaats",
			    { "marktplaats.nl", "marktplaats.com" },
			    FORM_ID,
			    0,
			    1,
			    12,
			    "",
			    0,
			    0,
			    "the numeric user id from the profile url "
			    "(marktplaats.nl/u/<name>/<id>/)" },
	[P_INSTAGRAM] = { "instagram",
			  { "instagram.com", "instagr.am" },
			  FORM_NAME,
			  1,
			  1,
			  30,
			  "._",
			  0,
			  0,
			  "1 to 30 of a-z, 0-9, '.', '_'" },
	[P_FACEBOOK] = { "facebook",
			 { "facebook.com", "fb.com", "fb.me" },
			 FORM_ID_OR_NAME,
			 0,
			 5,
			 50,
			 ".",
			 0,
			 1,
			 "5 to 50 of a-z, 0-9, '.', or a numeric id" },
	[P_TIKTOK] = { "tiktok",
		       { "tiktok.com" },
		       FORM_NAME,
		       1,
		       2,
		       24,
		       "._",
		       0,
		       0,
		       "2 to 24 of a-z, 0-9, '.', '_'" },
	[P_X] = { "x",
		  { "x.com", "twitter.com" },
		  FORM_NAME,
		  1,
		  1,
		  15,
		  "_",
		  0,
		  0,
		  "1 to 15 of a-z, 0-9, '_'" },
	[P_TELEGRAM] = { "telegram",
			 { "t.me", "telegram.me", "telegram.dog" },
			 FORM_NAME,
			 1,
			 5,
			 32,
			 "_",
			 1,
			 0,
			 "5 to 32 of a-z, 0-9, '_', starting with a letter" },
	[P_WHATSAPP] = { "whatsapp",
			 { "wa.me", "whatsapp.com" },
			 FORM_ID,
			 0,
			 1,
			 15,
			 "",
			 0,
			 0,
			 "a phone number" },
	[P_SNAPCHAT] = { "snapchat",
			 { "snapchat.com" },
			 FORM_NAME,
			 0,
			 3,
			 15,
			 "._-",
			 1,
			 1,
			 "3 to 15 of a-z, 0-9, '.', '_', '-', starting with a letter" },
	[P_LINKEDIN] = { "linkedin",
			 { "linkedin.com" },
			 FORM_NAME,
			 0,
			 3,
			 100,
			 "-",
			 0,
			 0,
			 "3 to 100 of a-z, 0-9, '-' (the slug after /in/)" },
	[P_YOUTUBE] = { "youtube",
			{ "youtube.com" },
			FORM_NAME,
			1,
			3,
			30,
			"._-",
			0,
			0,
			"3 to 30 of a-z, 0-9, '.', '_', '-', or a channel id 'UC...'" },
	[P_VINTED] = { "vinted",
		       { NULL },
		       FORM_ID,
		       0,
		       1,
		       12,
		       "",
		       0,
		       0,
		       "the numeric member id from the profile url "
		       "(vinted.nl/member/<id>-<name>)" },
	[P_TWEAKERS] = { "tweakers",
			 { "tweakers.net" },
			 FORM_ID_OR_NAME,
			 0,
			 2,
			 30,
			 "._-",
			 0,
			 0,
			 "a user id (/gallery/<id>/) or 2 to 30 of a-z, 0-9, '.', '_', '-'" },
};

/* A borrowed piece of the input. */
struct span {
	const char *p;
	size_t n;
};

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s.p[i]) != lit[i])
			return 0;
	return 1;
}

static int span_iprefix(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && span_ieq((struct span){ s.p, n }, lit);
}

static const char *quote(char *buf, size_t bufsz, struct span s)
{
	size_t n = 0, i;

	for (i = 0; i < s.n && n + 4 < bufsz && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s.p[i];

		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < s.n && n + 3 < bufsz) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int platform_by_name(struct span name)
{
	if (span_ieq(name, "twitter"))
		return P_X;
	for (int i = 0; i < P_COUNT; i++)
		if (span_ieq(name, platforms[i].name))
			return i;
	return -1;
}

/* vinted runs one site per country: vinted.nl, vinted.co.uk, ... */
static int is_vinted_host(const char *h)
{
	const char *v = strstr(h, "vinted.");

	if (!v || (v != h && v[-1] != '.'))
		return 0;
	v += strlen("vinted.");
	if (*v == '\0' || strlen(v) > 6)
		return 0;
	for (; *v; v++)
		if (!(*v >= 'a' && *v <= 'z') && *v != '.')
			return 0;
	return 1;
}

/* `host` is lower case; it matches a known host or any subdomain of one. */
static int platform_by_host(const char *host)
{
	size_t hl = strlen(host);

	for (int i = 0; i < P_COUNT; i++) {
		for (int j = 0; j < 4 && platforms[i].hosts[j]; j++) {
			const char *k = platforms[i].hosts[j];
			size_t kl = strlen(k);

			if (hl == kl && memcmp(host, k, kl) == 0)
				return i;
			if (hl > kl && host[hl - kl - 1] == '.' &&
			    memcmp(host + hl - kl, k, kl) == 0)
				return i;
		}
	}
	if (is_vinted_host(host))
		return P_VINTED;
	return -1;
}

/* ---- account check and output ---- */

static int set_result(struct ident *out, int pf, const char *account, const char *type, char *err,
		      size_t errsz)
{
	const struct platform *p = &platforms[pf];
	int at = p->at && strcmp(type, "username") == 0;
	char buf[16 + 1 + ACCOUNT_MAX + 1];
	int n = snprintf(buf, sizeof(buf), "%s:%s%s", p->name, at ? "@" : "", account);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(buf))
		return ident_error(err, errsz, "internal error: %s account too long", p->name);
	rc = ident_set_canonical(out, buf, (size_t)n);
	if (rc != IDENT_OK)
		return rc;
	if (ident_attr_set(out, "platform", p->name) || ident_attr_set(out, "account", account) ||
	    ident_attr_set(out, "account_type", type))
		return ident_error(err, errsz, "internal error: attribute table full");
	return IDENT_OK;
}

static int all_digits(struct span s)
{
	if (s.n == 0)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit((unsigned char)s.p[i]))
			return 0;
	return 1;
}

static int is_channel_id(struct span s)
{
	if (s.n != 24 || s.p[0] != 'U' || s.p[1] != 'C')
		return 0;
	for (size_t i = 2; i < s.n; i++) {
		int c = (unsigned char)s.p[i];

		if (!is_digit(c) && !(lower(c) >= 'a' && lower(c) <= 'z') && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

static int bad_account(char *err, size_t errsz, int pf, struct span acc, const char *why)
{
	char q[24]; /* short, so that the rule still fits in the message */

	return ident_error(err, errsz, "invalid %s account '%s': %s; allowed: %s",
			   platforms[pf].name, quote(q, sizeof(q), acc), why, platforms[pf].rule);
}

static int whatsapp_refuse(char *err, size_t errsz, struct span acc)
{
	char q[QUOTE_MAX + 4];

	if (acc.n && acc.p[0] == '+') {
		acc.p++;
		acc.n--;
	}

	if (acc.n && all_digits(acc))
		return ident_error(err, errsz,
				   "whatsapp accounts are phone numbers: report '+%s' as kind "
				   "phone",
				   quote(q, sizeof(q), acc));
	return ident_error(err, errsz,
			   "whatsapp accounts are phone numbers: report the number as kind phone");
}

/*
 * Check `acc` against the platform's rules and fill `out`.  `had_at`: the
 * account was written with '@', which makes it a username, never a youtube
 * channel id.
 */
static int account_finish(struct ident *out, int pf, struct span acc, int had_at, char *err,
			  size_t errsz)
{
	const struct platform *p = &platforms[pf];
	char buf[ACCOUNT_MAX + 1];

	if (pf == P_WHATSAPP)
		return whatsapp_refuse(err, errsz, acc);
	if (acc.n == 0)
		return ident_error(err, errsz, "empty %s account; allowed: %s", p->name, p->rule);
	if (acc.n > ACCOUNT_MAX)
		return bad_account(err, errsz, pf, acc, "too long");

	if (p->form != FORM_NAME && all_digits(acc)) {
		if (acc.n > 20 || (p->form == FORM_ID && acc.n > p->max))
			return bad_account(err, errsz, pf, acc, "id too long");
		memcpy(buf, acc.p, acc.n);
		buf[acc.n] = '\0';
		return set_result(out, pf, buf, "id", err, errsz);
	}
	if (p->form == FORM_ID)
		return bad_account(err, errsz, pf, acc, "not a number");

	if (pf == P_YOUTUBE && !had_at && is_channel_id(acc)) {
		memcpy(buf, acc.p, acc.n);
		buf[acc.n] = '\0';
		return set_result(out, pf, buf, "channel", err, errsz);
	}

	for (size_t i = 0; i < acc.n; i++) {
		int c = lower((unsigned char)acc.p[i]);
		int punct = c && strchr(p->punct, c) != NULL;
		char q[QUOTE_MAX + 4];

		if (!(c >= 'a' && c <= 'z') && !is_digit(c) && !punct) {
			char why[64];

			snprintf(why, sizeof(why), "character '%s' at position %u",
				 quote(q, sizeof(q), (struct span){ acc.p + i, 1 }),
				 (unsigned)i + 1);
			return bad_account(err, errsz, pf, acc, why);
		}
		if (punct && p->punct_inside && (i == 0 || i == acc.n - 1))
			return bad_account(err, errsz, pf, acc, "starts or ends with punctuation");
		buf[i] = (char)c;
	}
	buf[acc.n] = '\0';
	if (acc.n < p->min || acc.n > p->max)
		return bad_account(err, errsz, pf, acc, acc.n < p->min ? "too short" : "too long");
	if (p->letter_first && !(buf[0] >= 'a' && buf[0] <= 'z'))
		return bad_account(err, errsz, pf, acc, "does not start with a letter");
	return set_result(out, pf, buf, "username", err, errsz);
}

/* ---- profile URLs ---- */

#define SEGS_MAX 4

struct url {
	char host[HOST_MAX + 1]; /* lower case, no port, no trailing dot */
	struct span seg[SEGS_MAX];
	size_t nseg;
	struct span query;
};

/* Split `s` (scheme already removed) into host, first path segments and query. */
static int url_split(struct url *u, struct span s, char *err, size_t errsz)
{
	size_t i = 0, hn = 0;
	char q[QUOTE_MAX + 4];

	memset(u, 0, sizeof(*u));
	while (i < s.n && s.p[i] != '/' && s.p[i] != '?' && s.p[i] != '#') {
		int c = lower((unsigned char)s.p[i]);

		if (c == '@')
			return ident_error(err, errsz,
					   "url '%s' has user info before the host; give the "
					   "profile url itself",
					   quote(q, sizeof(q), s));
		if (c == ':')
			break;
		if (hn >= HOST_MAX)
			return ident_error(err, errsz, "host name too long in '%s'",
					   quote(q, sizeof(q), s));
		u->host[hn++] = (char)c;
		i++;
	}
	while (i < s.n && s.p[i] != '/' && s.p[i] != '?' && s.p[i] != '#')
		i++; /* port */
	while (hn && u->host[hn - 1] == '.')
		hn--;
	u->host[hn] = '\0';

	while (i < s.n && s.p[i] == '/') {
		size_t start;

		while (i < s.n && s.p[i] == '/')
			i++;
		start = i;
		while (i < s.n && s.p[i] != '/' && s.p[i] != '?' && s.p[i] != '#')
			i++;
		if (i > start && u->nseg < SEGS_MAX)
			u->seg[u->nseg++] = (struct span){ s.p + start, i - start };
	}
	if (i < s.n && s.p[i] == '?') {
		size_t start = ++i;

		while (i < s.n && s.p[i] != '#')
			i++;
		u->query = (struct span){ s.p + start, i - start };
	}
	return IDENT_OK;
}

/* Value of `key` in a query string, or an empty span. */
static struct span query_get(struct span q, const char *key)
{
	size_t kl = strlen(key), i = 0;

	while (i < q.n) {
		size_t start = i, end;

		while (i < q.n && q.p[i] != '&')
			i++;
		end = i++;
		if (end - start > kl && memcmp(q.p + start, key, kl) == 0 && q.p[start + kl] == '=')
			return (struct span){ q.p + start + kl + 1, end - start - kl - 1 };
	}
	return (struct span){ "", 0 };
}

static int seg_is(const struct url *u, size_t i, const char *lit)
{
	return i < u->nseg && span_ieq(u->seg[i], lit);
}

static int not_profile(char *err, size_t errsz, int pf, struct span in, const char *expect)
{
	char q[QUOTE_MAX + 4];

	return ident_error(err, errsz, "'%s' is not a profile url of %s; expected %s",
			   quote(q, sizeof(q), in), platforms[pf].name, expect);
}

/* Leading digits of a segment such as "12345678-name" (vinted). */
static struct span leading_digits(struct span s)
{
	size_t n = 0;

	while (n < s.n && is_digit((unsigned char)s.p[n]))
		n++;
	return (struct span){ s.p, n };
}

static int from_url(struct ident *out, struct span in, struct span rest, char *err, size_t errsz)
{
	static const char *const ig_reserved[] = { "p",	      "reel",	  "reels",  "tv",
						   "explore", "accounts", "direct", NULL };
	static const char *const fb_reserved[] = { "groups",	  "events",    "watch",
						   "marketplace", "photo.php", "permalink.php",
						   "story.php",	  "share",     "sharer.php",
						   "hashtag",	  "login",     NULL };
	static const char *const x_reserved[] = {
		"i",	   "home",     "search",   "explore",	    "intent", "share",
		"hashtag", "settings", "messages", "notifications", "login",  NULL
	};
	struct url u;
	struct span acc = { "", 0 };
	char q[QUOTE_MAX + 4], qh[25];
	const char *const *reserved = NULL;
	int pf, rc, had_at = 0;

	rc = url_split(&u, rest, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	pf = platform_by_host(u.host);
	if (pf < 0)
		return ident_error(err, errsz, "unknown site '%s'; known: " KNOWN_PLATFORMS,
				   quote(qh, sizeof(qh), (struct span){ u.host, strlen(u.host) }));

	switch (pf) {
	case P_MARKTPLAATS:
		if (seg_is(&u, 0, "u") && u.nseg >= 3)
			acc = u.seg[2];
		else if (seg_is(&u, 0, "verkopers") && u.nseg >= 2)
			acc = leading_digits(u.seg[1]);
		else
			return not_profile(err, errsz, pf, in, "marktplaats.nl/u/<name>/<id>/");
		break;
	case P_INSTAGRAM:
		reserved = ig_reserved;
		acc = seg_is(&u, 0, "stories") ? (u.nseg > 1 ? u.seg[1] : acc)
					       : (u.nseg ? u.seg[0] : acc);
		break;
	case P_FACEBOOK:
		reserved = fb_reserved;
		if (seg_is(&u, 0, "profile.php"))
			acc = query_get(u.query, "id");
		else if (seg_is(&u, 0, "people") && u.nseg >= 3)
			acc = u.seg[2];
		else if (u.nseg)
			acc = u.seg[0];
		break;
	case P_TIKTOK:
		if (!u.nseg || u.seg[0].p[0] != '@')
			return not_profile(err, errsz, pf, in, "tiktok.com/@<name>");
		acc = (struct span){ u.seg[0].p + 1, u.seg[0].n - 1 };
		had_at = 1;
		break;
	case P_X:
		reserved = x_reserved;
		if (u.nseg)
			acc = u.seg[0];
		break;
	case P_TELEGRAM:
		if (u.nseg && (u.seg[0].p[0] == '+' || seg_is(&u, 0, "joinchat")))
			return ident_error(err, errsz,
					   "'%s' is a telegram invite link, not an account",
					   quote(q, sizeof(q), in));
		acc = seg_is(&u, 0, "s") ? (u.nseg > 1 ? u.seg[1] : acc)
					 : (u.nseg ? u.seg[0] : acc);
		break;
	case P_WHATSAPP:
		acc = seg_is(&u, 0, "send") ? query_get(u.query, "phone")
					    : (u.nseg ? u.seg[0] : acc);
		return whatsapp_refuse(err, errsz, acc);
	case P_SNAPCHAT:
		if (seg_is(&u, 0, "add") && u.nseg > 1)
			acc = u.seg[1];
		else if (u.nseg && u.seg[0].p[0] == '@')
			acc = (struct span){ u.seg[0].p + 1, u.seg[0].n - 1 };
		else
			return not_profile(err, errsz, pf, in, "snapchat.com/add/<name>");
		break;
	case P_LINKEDIN:
		if (!seg_is(&u, 0, "in") || u.nseg < 2)
			return not_profile(err, errsz, pf, in, "linkedin.com/in/<name>");
		acc = u.seg[1];
		break;
	case P_YOUTUBE:
		if (u.nseg && u.seg[0].p[0] == '@') {
			acc = (struct span){ u.seg[0].p + 1, u.seg[0].n - 1 };
			had_at = 1;
		} else if (seg_is(&u, 0, "channel") && u.nseg > 1 && is_channel_id(u.seg[1])) {
			acc = u.seg[1];
		} else {
			return not_profile(err, errsz, pf, in,
					   "youtube.com/@<handle> or youtube.com/channel/UC...");
		}
		break;
	case P_VINTED:
		if (!seg_is(&u, 0, "member") || u.nseg < 2)
			return not_profile(err, errsz, pf, in, "vinted.nl/member/<id>-<name>");
		acc = leading_digits(u.seg[1]);
		break;
	case P_TWEAKERS:
		if (!seg_is(&u, 0, "gallery") || u.nseg < 2)
			return not_profile(err, errsz, pf, in, "tweakers.net/gallery/<id>/");
		acc = u.seg[1];
		break;
	}

	for (size_t i = 0; reserved && reserved[i]; i++)
		if (u.nseg && span_ieq(u.seg[0], reserved[i]))
			return ident_error(err, errsz,
					   "'%s' is a post or other page on %s, not a "
					   "profile; give the account's own url",
					   quote(q, sizeof(q), in), platforms[pf].name);
	if (acc.n == 0)
		return not_profile(err, errsz, pf, in, "a url with the account in its path");
	if (memchr(acc.p, '%', acc.n))
		return bad_account(err, errsz, pf, acc, "percent-encoded characters");
	return account_finish(out, pf, acc, had_at, err, errsz);
}

/* ---- entry point ---- */

int ident_handle_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	struct span s = { in, len }, name, acc;
	const char *colon, *slash;
	char q[QUOTE_MAX + 4];
	int pf, had_at = 0;

	while (s.n && ident_is_space((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && ident_is_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	if (s.n == 0)
		return ident_error(err, errsz, "empty handle");

	if (span_iprefix(s, "https://"))
		return from_url(out, s, (struct span){ s.p + 8, s.n - 8 }, err, errsz);
	if (span_iprefix(s, "http://"))
		return from_url(out, s, (struct span){ s.p + 7, s.n - 7 }, err, errsz);

	colon = memchr(s.p, ':', s.n);
	slash = memchr(s.p, '/', s.n);
	if (colon && (!slash || colon < slash)) {
		name = (struct span){ s.p, (size_t)(colon - s.p) };
		pf = platform_by_name(name);
		if (pf < 0)
			return ident_error(err, errsz,
					   "unknown platform '%s'; known: " KNOWN_PLATFORMS,
					   quote(q, 21, name));
		acc = (struct span){ colon + 1, s.n - name.n - 1 };
		while (acc.n && ident_is_space((unsigned char)acc.p[0])) {
			acc.p++;
			acc.n--;
		}
		if (acc.n && acc.p[0] == '@') {
			acc.p++;
			acc.n--;
			had_at = 1;
		}
		return account_finish(out, pf, acc, had_at, err, errsz);
	}
	if (slash || memchr(s.p, '.', s.n)) {
		struct url u;
		struct span host = { s.p, slash ? (size_t)(slash - s.p) : s.n };

		if (host.n <= HOST_MAX && url_split(&u, host, NULL, 0) == IDENT_OK &&
		    platform_by_host(u.host) >= 0)
			return from_url(out, s, s, err, errsz);
	}
	return ident_error(err, errsz,
			   "'%s' names no platform: write platform:account (e.g. instagram:@name) "
			   "or a profile url",
			   quote(q, sizeof(q), s));
}
