# The one list of Signaal's sources, read by CMakeLists.txt for the program,
# the unit tests, the fuzz targets and the benchmarks.  main.c is separate so
# that everything else can be linked into tests.
set(SIGNAAL_CORE_SOURCES
  src/util/mem.c
  src/util/buf.c
  src/util/log.c
  src/util/fs.c
  src/util/keccak.c
  src/util/bech32.c
  src/ident/ident.c
  src/ident/kinds.c
  src/ident/iban.c
  src/ident/phone.c
  src/ident/url.c
  src/ident/domain.c
  src/ident/email.c
  src/ident/crypto.c
  src/ident/handle.c
  src/voprf.c
  src/pseudonym.c
  src/taxonomy.c
  src/embedded.c
  src/util/html.c
  src/util/text.c
  src/deliver/webhook.c
  src/deliver/deliver.c
  src/casecode.c
  src/ratelimit.c
  src/idempotency.c
  src/advice.c
  src/report.c
  src/alert.c
  src/rules.c
  src/partner.c
  src/config.c
  src/keys.c
  src/metrics.c
  src/http/router.c
  src/http/reply.c
  src/http/server.c
  src/store/store.c
  src/store/sqlite.c
  src/store/sqlite_report.c
  src/store/sqlite_partner.c
  src/store/sqlite_alert.c
  src/api/routes.c
  src/api/errors.c
  src/api/health.c
  src/api/identifiers.c
  src/api/reference.c
  src/api/reports.c
  src/api/cases.c
  src/api/static.c
  src/api/alerts.c
  src/cmd/serve.c
  src/cmd/version.c
  src/cmd/config_show.c
  src/cmd/db.c
  src/cmd/keys_init.c
  src/cmd/help.c
  src/cmd/normalize.c
  src/cmd/partner.c
)

# Unit tests: tests/unit/test_<name>.c, each its own cmocka program.
set(SIGNAAL_UNIT_TESTS
  buf
  config
  router
  problem
  store
  keys
  iban
  phone
  url
  domain
  crypto_addr
  handle
  keccak
  voprf
  pseudonym
  taxonomy
  advice
  casecode
  rules
)

# Integration tests: tests/integration/test_<name>.c against the real server.
set(SIGNAAL_INTEGRATION_TESTS
  http
  cli
  identifiers
  reports
)

# libFuzzer targets: tests/fuzz/fuzz_<name>.c with seeds in tests/fuzz/corpus/<name>/.
set(SIGNAAL_FUZZ_TARGETS
  config
  router
  iban
  phone
  url
  domain
  email
  crypto
  handle
  taxonomy
  advice
  rules
)

# Benchmarks: bench/bench_<name>.c, each its own program printing ratios.
set(SIGNAAL_BENCHMARKS
  voprf
  ident
  sqlite
)
