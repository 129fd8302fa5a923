/* pg_feedback.c - signals as partners see them, and their feedback (as sqlite_feedback.c). */
#include <stdio.h>
#include <string.h>

#include "feedback.h"
#include "store/pg_int.h"
#include "util/mem.h"

int pg_signal_get(struct store *st, int64_t id, struct signal_view *out)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	size_t len;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, id);
	rc = pg_query(c,
		      "SELECT s.id, s.partner_id, p.name, s.kind, s.pseudonym, "
		      "s.fraud_type, s.confidence, s.tlp, s.created_at, "
		      "coalesce(i.status, 'reported') FROM signals s JOIN partners p ON "
		      "p.id = s.partner_id LEFT JOIN identifiers i ON i.pseudonym = "
		      "s.pseudonym WHERE s.id = $1",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return STORE_ENOTFOUND;
	}
	memset(out, 0, sizeof(*out));
	out->id = pg_int(res, 0, 0);
	out->partner = pg_int(res, 0, 1);
	pg_text(res, 0, 2, out->partner_name, sizeof(out->partner_name));
	pg_text(res, 0, 3, out->kind, sizeof(out->kind));
	if (pg_bytes(res, 0, 4, out->pseudonym, sizeof(out->pseudonym), &len) ||
	    len != FEEDBACK_PSEUDONYM_BYTES)
		memset(out->pseudonym, 0, sizeof(out->pseudonym));
	pg_text(res, 0, 5, out->fraud_type, sizeof(out->fraud_type));
	out->confidence = (int)pg_int(res, 0, 6);
	pg_text(res, 0, 7, out->tlp, sizeof(out->tlp));
	pg_text(res, 0, 8, out->created_at, sizeof(out->created_at));
	pg_text(res, 0, 9, out->status, sizeof(out->status));
	PQclear(res);
	return STORE_OK;
}

int pg_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	*yes = 0;
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, FEEDBACK_PSEUDONYM_BYTES);
	pg_param_int(&p, partner);
	rc = pg_query(c,
		      "SELECT EXISTS (SELECT 1 FROM outbox WHERE pseudonym = $1 AND "
		      "partner_id = $2 AND event = 'alert')",
		      &p, &res);
	if (rc)
		return rc;
	*yes = pg_int(res, 0, 0) != 0;
	PQclear(res);
	return STORE_OK;
}

int pg_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
		    const char *new_status, const char *retraction)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, f->signal);
	pg_param_int(&p, f->partner);
	pg_param_text(&p, f->outcome);
	pg_param_opt(&p, f->mitigation);
	pg_param_text(&p, f->note);
	pg_param_text(&p, f->created_at);
	rc = pg_exec(c,
		     "INSERT INTO signal_feedback (signal_id, partner_id, outcome, "
		     "mitigation, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
		     &p, NULL);
	/* A status once cleared is not raised again by feedback. */
	if (!rc && new_status) {
		pg_params_init(&p);
		pg_param_bytes(&p, pseudonym, FEEDBACK_PSEUDONYM_BYTES);
		pg_param_text(&p, new_status);
		rc = pg_exec(c,
			     "UPDATE identifiers SET status = $2 WHERE pseudonym = $1 AND "
			     "status != 'cleared'",
			     &p, NULL);
	}
	/* A retraction to everyone who was alerted about this identifier. */
	if (!rc && retraction) {
		pg_params_init(&p);
		pg_param_bytes(&p, pseudonym, FEEDBACK_PSEUDONYM_BYTES);
		pg_param_text(&p, retraction);
		pg_param_text(&p, f->created_at);
		rc = pg_exec(c,
			     "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
			     "created_at, next_attempt_at) SELECT DISTINCT partner_id, "
			     "'retraction', pseudonym, 0, $2::text, $3::text, $3::text FROM outbox "
			     "WHERE pseudonym = $1 AND event = 'alert'",
			     &p, NULL);
	}
	return pg_write_end(s, c, rc);
}

int pg_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	size_t cap = 0;
	int rc = pg_conn_of(st, &c), rows;

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, signal);
	rc = pg_query(c,
		      "SELECT f.partner_id, p.name, f.outcome, coalesce(f.mitigation, "
		      "''), f.note, f.created_at FROM signal_feedback f JOIN partners p "
		      "ON p.id = f.partner_id WHERE f.signal_id = $1 ORDER BY f.id",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		struct feedback *f;

		if (*n == cap) {
			f = mem_realloc(*out, (cap ? cap * 2 : 8) * sizeof(*f));
			if (!f) {
				PQclear(res);
				return STORE_ENOMEM;
			}
			*out = f;
			cap = cap ? cap * 2 : 8;
		}
		f = &(*out)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->signal = signal;
		f->partner = pg_int(res, i, 0);
		pg_text(res, i, 1, f->partner_name, sizeof(f->partner_name));
		pg_text(res, i, 2, f->outcome, sizeof(f->outcome));
		pg_text(res, i, 3, f->mitigation, sizeof(f->mitigation));
		f->note = pg_dup(res, i, 4);
		pg_text(res, i, 5, f->created_at, sizeof(f->created_at));
	}
	PQclear(res);
	return STORE_OK;
}
