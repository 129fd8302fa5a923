/* group.c - group commit of reports: the queue and its writer thread; see group.h. */
#include "store/group.h"

#include "util/mem.h"

void store_group_init(struct store_group *g, struct store *st,
		      void (*run)(struct store *st, struct group_job *batch))
{
	g->st = st;
	g->run = run;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->work, NULL);
	g->queue = NULL;
	g->tail = &g->queue;
	g->started = g->stop = false;
}

static void *writer_main(void *arg)
{
	struct store_group *g = arg;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		struct group_job *batch, *j, *next;

		while (!g->queue && !g->stop)
			pthread_cond_wait(&g->work, &g->lock);
		if (!g->queue)
			break; /* stopping, and everything queued is written */
		batch = g->queue;
		g->queue = NULL;
		g->tail = &g->queue;
		pthread_mutex_unlock(&g->lock);
		g->run(g->st, batch);
		for (j = batch; j; j = next) {
			next = j->next;
			j->done(j->arg, j->rc);
			mem_free(j);
		}
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int store_group_submit(struct store_group *g, struct report *r, store_done_fn done, void *arg)
{
	struct group_job *job = mem_calloc(1, sizeof(*job));
	int rc = STORE_OK;

	if (!job)
		return STORE_ENOMEM;
	job->r = r;
	job->done = done;
	job->arg = arg;
	pthread_mutex_lock(&g->lock);
	if (g->stop) {
		rc = STORE_EINVAL;
	} else if (!g->started) {
		if (pthread_create(&g->writer, NULL, writer_main, g) == 0)
			g->started = true;
		else
			rc = STORE_EIO;
	}
	if (rc == STORE_OK) {
		*g->tail = job;
		g->tail = &job->next;
		pthread_cond_signal(&g->work);
	}
	pthread_mutex_unlock(&g->lock);
	if (rc)
		mem_free(job);
	return rc;
}

void store_group_destroy(struct store_group *g)
{
	bool started;

	pthread_mutex_lock(&g->lock);
	g->stop = true;
	started = g->started;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->lock);
	if (started)
		pthread_join(g->writer, NULL);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->work);
}
