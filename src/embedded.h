/*
 * embedded.h - data files carried inside the program (data/taxonomy.json,
 * data/municipalities.tsv), so that one binary is the whole server.  The
 * build generates the table from the files in data/.
 */
#ifndef SIGNAAL_EMBEDDED_H
#define SIGNAAL_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;	   /* relative to the source tree: "data/taxonomy.json" */
	const unsigned char *data; /* NUL-terminated; the NUL is not counted in len */
	size_t len;
};

extern const struct embedded_file embedded_files[]; /* ends with a NULL name */

/* The file called `name`, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
