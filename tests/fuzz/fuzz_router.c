/* Fuzz target: route matching on arbitrary paths and methods. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_params params;
	unsigned allowed;
	char path[2048];
	enum http_method m;
	int r;

	if (size < 1 || size >= sizeof(path))
		return 0;
	m = (enum http_method)(data[0] % (HTTP_METHOD_COUNT + 1));
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	r = router_match(api_routes, api_nroutes, m, path, &params, &allowed);
	if (r >= 0) {
		/* A match has the right method and no more parameters than fit. */
		if (r >= (int)api_nroutes || params.n > ROUTE_PARAMS_MAX)
			abort();
		if (api_routes[r].method != m &&
		    !(m == HTTP_HEAD && api_routes[r].method == HTTP_GET))
			abort();
		for (size_t i = 0; i < params.n; i++)
			if (!params.value[i][0] || strchr(params.value[i], '/'))
				abort();
	} else if (r == ROUTE_BAD_METHOD) {
		if (!allowed || (allowed & (1u << m)))
			abort();
	} else if (r != ROUTE_NOT_FOUND || allowed) {
		abort();
	}
	return 0;
}
