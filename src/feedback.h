/*
 * feedback.h - what partners say about a signal after acting on it:
 * confirmed, a false positive, or mitigated (blocked, taken down, ...).
 * The submitter and every partner alerted about the identifier may give
 * and see it.  Confirmation marks the identifier confirmed; a false
 * positive marks it disputed, and from the submitter it also retracts the
 * alerts that went out.
 */
#ifndef SIGNAAL_FEEDBACK_H
#define SIGNAAL_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

#define FEEDBACK_PSEUDONYM_BYTES 64

struct signal_view {
	int64_t id;
	int64_t partner;
	char partner_name[64];
	char kind[16];
	uint8_t pseudonym[FEEDBACK_PSEUDONYM_BYTES];
	char fraud_type[48];
	int confidence;
	char tlp[16];
	char created_at[32];
	char status[16]; /* of the identifier: reported, confirmed, disputed, cleared */
};

struct feedback {
	int64_t signal;
	int64_t partner;
	char partner_name[64];
	char outcome[16];    /* confirmed, false_positive, mitigated */
	char mitigation[32]; /* for mitigated: blocked, taken_down, frozen, suspended, other */
	char *note;	     /* owned, may be NULL */
	char created_at[32];
};

void feedback_list_free(struct feedback *f, size_t n);

#endif
