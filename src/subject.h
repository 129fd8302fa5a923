/*
 * subject.h - requests of data subjects: access and objection.
 *
 * A person asks, through POST /v1/subject-requests, whether an identifier
 * of theirs (an IBAN, a phone number ...) is registered and who received
 * it (access), or objects to its registration (objection).  They get a
 * request code once, like a victim's case code, to read the answer with.
 * The operator works the requests with `signaal subject`:
 *
 *	access:     received -> answered   (subject answer: from the registry
 *	                                    and the audit log)
 *	objection:  received -> upheld     (the identifier is cleared and a
 *	                                    retraction goes to its recipients)
 *	            received -> rejected   (the identifier gets its status back
 *	                                    and the person is told why)
 *
 * An objection disputes a registered identifier at once: the public check
 * hides it and every partner alerted about it gets a retraction with
 * reason "disputed".  A rejection sends those partners an alert with
 * reason "dispute_rejected" (by pseudonym only), so that they know the
 * earlier alert stands again.
 *
 * What identifies the person (the identifier's value, the contact address,
 * the objection's text) is sealed with the pseudonym key, the pseudonym as
 * associated data; it never goes into logs or the audit log, which name
 * the identifier by its commitment only.
 */
#ifndef SIGNAAL_SUBJECT_H
#define SIGNAAL_SUBJECT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SUBJECT_PSEUDONYM_BYTES 64
#define SUBJECT_CODE_HASH_BYTES 32
#define SUBJECT_REASON_MAX	2000 /* characters of an objection's or a decision's reason */
#define SUBJECT_CONTACT_MAX	320

struct store;
struct pseudonym_key;
struct audit_keys;

struct subject_request {
	int64_t id;
	uint8_t code_hash[SUBJECT_CODE_HASH_BYTES];
	char type[16]; /* access, objection */
	char kind[16];
	uint8_t pseudonym[SUBJECT_PSEUDONYM_BYTES];
	uint8_t *sealed; /* owned: {"value", "contact", "reason"} sealed */
	size_t sealed_len;
	char language[4];      /* nl, en */
	char status[16];       /* received, answered, upheld, rejected */
	char prior_status[16]; /* objection: the status a rejection gives back; "" for none */
	char *answer;	       /* owned JSON text, or NULL */
	char *decision_reason; /* owned, or NULL */
	char created_at[32];
	char updated_at[32];
};

void subject_request_release(struct subject_request *r);
void subject_requests_free(struct subject_request *rs, size_t n);

/*
 * Seals the request's personal data for its pseudonym into r->sealed:
 * value and contact required, reason may be NULL.  0, or -1.
 */
int subject_seal(const struct pseudonym_key *key, struct subject_request *r, const char *value,
		 const char *contact, const char *reason);

/* Opens what subject_seal() sealed: a new object {"value", "contact", "reason"?}, or NULL. */
json_t *subject_open(const struct pseudonym_key *key, const struct subject_request *r);

/*
 * What partners get through the outbox about an identifier: `type`
 * "retraction" (reason "disputed" or "cleared") or "alert" (reason
 * "dispute_rejected"), with its kind, pseudonym and the status it has now.
 * New string (mem_free), or NULL.
 */
char *subject_notice(const char *type, const char *reason, const char *kind,
		     const uint8_t pseudonym[SUBJECT_PSEUDONYM_BYTES], const char *status);

/*
 * The answer to an access request, from the registry and the audit log:
 *
 *	{"registered": true, "kind", "status", "first_seen", "last_seen",
 *	 "reports", "signals", "recipients": [{"organisation", "sector",
 *	 "what", "at"}], "answered_at", "text"}
 *
 * "recipients" lists every disclosure to a partner that the audit log
 * names the identifier in ("what": alert, retraction, value, lookup), also
 * when the identifier is no longer registered.  "text" says it all in the
 * request's language.  Returns STORE_OK with *out, or a STORE_E* code.
 */
int subject_answer(struct store *st, const struct audit_keys *keys, const struct subject_request *r,
		   const char *now, json_t **out);

#endif
