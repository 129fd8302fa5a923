/*
 * bench_ident.c - normalisations per second for each identifier kind.
 *
 * Each kind runs over a small set of typical inputs (as victims type them)
 * for `seconds` per round; the median over the rounds is printed, one line
 * per kind.  There is no outside baseline for this work: the figures are
 * for spotting regressions between runs on the same machine.
 *
 * Usage: bench_ident [rounds [seconds]]   (defaults 3 and 0.5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "ident/ident.h"

static const char *const inputs[IDENT_KIND_COUNT][4] = {
	[IDENT_IBAN] = { "NL91 ABNA 0417 1643 00", "nl44rabo0123456789",
			 "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819" },
	[IDENT_PHONE] = { "06-12345678", "+31 (0)20 123 4567", "0031 6 12345678",
			  "+44 20 7946 0958" },
	[IDENT_URL] = { "https://www.Example.NL/login/../verify?id=1#x", "http://3279880203/a",
			"bücher.example/%41bc", "http://a.b.c.d.e.f.g/1/2/3/4/5/6/7.html?q" },
	[IDENT_DOMAIN] = { "Example.NL.", "bücher.de", "shop.example.co.uk", "xn--bcher-kva.nl" },
	[IDENT_EMAIL] = { "Jan.Jansen@Example.NL", "info@bücher.de", "a+b@mail.example.com",
			  "x@y.nl" },
	[IDENT_CRYPTO] = { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
			   "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
			   "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
			   "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy" },
	[IDENT_HANDLE] = { "instagram:@Some.Name", "https://twitter.com/Name", "marktplaats:12345",
			   "telegram:@scam_helpdesk" },
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 3;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
	double rates[32];

	if (rounds < 1 || rounds > 31 || secs <= 0) {
		fprintf(stderr, "usage: bench_ident [rounds 1-31 [seconds]]\n");
		return 2;
	}
	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		for (int r = 0; r < rounds; r++) {
			double start = bench_now(), t;
			long n = 0;

			do {
				for (int i = 0; i < 4 * 16; i++) {
					struct ident id = IDENT_INIT;
					char err[IDENT_ERR_MAX];
					const char *in = inputs[k][i % 4];

					if (ident_normalize(&id, (enum ident_kind)k, in, strlen(in),
							    err, sizeof(err)) != IDENT_OK) {
						fprintf(stderr,
							"bench_ident: %s '%s' rejected: %s\n",
							ident_kind_name((enum ident_kind)k), in,
							err);
						return 1;
					}
					ident_release(&id);
				}
				n += 4 * 16;
				t = bench_now() - start;
			} while (t < secs);
			rates[r] = (double)n / t;
		}
		qsort(rates, (size_t)rounds, sizeof(rates[0]), cmp);
		printf("normalize_%s_per_sec=%.0f\n", ident_kind_name((enum ident_kind)k),
		       rates[rounds / 2]);
	}
	return 0;
}
