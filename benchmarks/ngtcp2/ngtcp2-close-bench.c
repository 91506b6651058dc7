/*
 * ngtcp2-close-bench.c -- reference benchmark: a QUIC client writes a
 * CONNECTION_CLOSE with libngtcp2 (ngtcp2_conn_write_connection_close).
 *
 * Written for libngtcp2 0.12.x as shipped by Debian 12 (packages
 * libngtcp2-dev, libngtcp2-crypto-gnutls-dev, libgnutls28-dev); 0.12 takes
 * an ngtcp2_connection_close_error, later releases an ngtcp2_ccerr.
 *
 * Build (or run benchmarks/ngtcp2/build.sh, which installs the packages first):
 *   gcc -O2 -Wall -o ngtcp2-close-bench ngtcp2-close-bench.c \
 *     $(pkg-config --cflags --libs libngtcp2 libngtcp2_crypto_gnutls gnutls)
 *
 * What one operation is (per connection, all in-process, no sockets):
 *   new    ngtcp2_conn_client_new (random 18-byte DCID, 17-byte SCID,
 *          QUIC v1, logging off)              [--mode=tls: + gnutls session]
 *   first  ngtcp2_conn_write_pkt into a 1452-byte buffer.  This is where the
 *          client_initial callback runs: it derives and installs the Initial
 *          keys with ngtcp2_crypto helpers and queues the ClientHello; ngtcp2
 *          then writes the first (1200-byte) Initial.  libngtcp2 refuses to
 *          write a CONNECTION_CLOSE before that first Initial
 *          (NGTCP2_ERR_INVALID_STATE in state CLIENT_INITIAL), so this step
 *          cannot be skipped.
 *   close  ngtcp2_conn_write_connection_close into a 1452-byte buffer with a
 *          transport error (default 0x2 CONNECTION_REFUSED, reason
 *          "bench close") -> one 1200-byte client Initial (padded) holding
 *          CONNECTION_CLOSE (0x1c), packet number 1.
 *   del    ngtcp2_conn_del                   [--mode=tls: + gnutls_deinit]
 *
 * --mode=keys (default): client_initial installs the Initial keys through
 *   ngtcp2_crypto_recv_retry_cb -- the one exported libngtcp2_crypto 0.12 entry
 *   point that runs ngtcp2_crypto_derive_and_install_initial_key (HKDF from
 *   the DCID, AEAD + header-protection contexts, retry AEAD) without touching
 *   TLS -- and queues a fixed 371-byte stand-in ClientHello as Initial CRYPTO
 *   data.  No TLS work is timed.
 * --mode=tls: client_initial is ngtcp2_crypto_client_initial_cb with a real
 *   gnutls client session (what the ngtcp2 example client does), so "first"
 *   includes building a real ClientHello with X25519 + P-256 key shares.
 *
 * Metrics printed (each over --iters operations, --rounds times; min/median):
 *   loop_full      new+first+close+del, one connection at a time
 *   loop_noclose   new+first+del, same loop without the close
 *   close_by_diff  loop_full - loop_noclose (median of each)
 *   phase_*        the steps timed separately over batches of --batch
 *                  connections (phase_close is the write step alone).  In
 *                  --mode=keys the key installation is its own phase
 *                  (phase_keys, called directly before write_pkt, which
 *                  then only queues the stand-in ClientHello and writes
 *                  the first Initial: phase_first)
 *   equiv_loop     phase_new+phase_keys+phase_close+phase_del: "create a
 *                  client conn with Initial keys installed, write the
 *                  close, delete" without the first Initial packet that
 *                  libngtcp2 insists on
 *   stateless_cc   ngtcp2_crypto_write_connection_close: server-side Initial
 *                  CONNECTION_CLOSE with no ngtcp2_conn (key derivation
 *                  included), for comparison
 * glibc malloc is told not to trim or mmap (mallopt) so that allocator page
 * faults do not swamp the batched phases.
 *
 * --dump FILE writes one CONNECTION_CLOSE datagram (and --dump-first FILE
 * the first Initial) for checking with shared/peers/decode-quic.sh;
 * --dcid/--scid fix the connection IDs of that dumped connection; --log
 * prints libngtcp2's own frame log of it to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <stdarg.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#if NGTCP2_VERSION_NUM >= 0x010000
#error "written for the libngtcp2 0.12 API (ngtcp2_connection_close_error, ngtcp2_crypto_level); 1.x renamed these"
#endif

#define BUFLEN 1452

enum { MODE_KEYS, MODE_TLS };

typedef struct {
  ngtcp2_crypto_conn_ref conn_ref;
  ngtcp2_conn *conn;
  gnutls_session_t session;
  int keys_installed; /* --mode=keys: Initial keys already installed */
} bench_conn;

static int mode = MODE_KEYS;
static uint64_t error_code = NGTCP2_CONNECTION_REFUSED;
static const char *reason = "bench close";
static int app_close = 0;
static int verbose_log = 0;

static gnutls_certificate_credentials_t cred;
static gnutls_priority_t prio;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void) {
  /* xorshift64*: cheap, deterministic; CIDs need not be secret here. */
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545f4914f6cdd1dULL;
}

static void rng_fill(uint8_t *p, size_t n) {
  while (n) {
    uint64_t v = rng_next();
    size_t k = n < 8 ? n : 8;
    memcpy(p, &v, k);
    p += k;
    n -= k;
  }
}

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A stand-in for a ClientHello: opaque CRYPTO bytes of a typical size (the
   gnutls ClientHello of ngtcp2's example client is 371 bytes).  Nobody ever
   reads them. */
static uint8_t fake_client_hello[371];

static void cb_rand(uint8_t *dest, size_t destlen,
                    const ngtcp2_rand_ctx *rand_ctx) {
  (void)rand_ctx;
  rng_fill(dest, destlen);
}

static int cb_get_new_connection_id(ngtcp2_conn *conn, ngtcp2_cid *cid,
                                    uint8_t *token, size_t cidlen,
                                    void *user_data) {
  (void)conn;
  (void)user_data;
  rng_fill(cid->data, cidlen);
  cid->datalen = cidlen;
  rng_fill(token, NGTCP2_STATELESS_RESET_TOKENLEN);
  return 0;
}

/* --mode=keys: install Initial keys derived from the DCID, queue fake
   ClientHello bytes.  ngtcp2_crypto_recv_retry_cb(conn, hd) runs
   ngtcp2_crypto_derive_and_install_initial_key(conn, ..., hd->scid), which
   is exactly what ngtcp2_crypto_client_initial_cb does before it turns to
   TLS; in 0.12 the derive function itself is not exported. */
static int install_initial_keys(bench_conn *bc) {
  ngtcp2_pkt_hd hd;
  memset(&hd, 0, sizeof(hd));
  hd.scid = *ngtcp2_conn_get_dcid(bc->conn);
  if (ngtcp2_crypto_recv_retry_cb(bc->conn, &hd, NULL) != 0) {
    return -1;
  }
  bc->keys_installed = 1;
  return 0;
}

static int keys_client_initial(ngtcp2_conn *conn, void *user_data) {
  bench_conn *bc = user_data;
  (void)conn;
  if (!bc->keys_installed && install_initial_keys(bc) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  if (ngtcp2_conn_submit_crypto_data(conn, NGTCP2_CRYPTO_LEVEL_INITIAL,
                                     fake_client_hello,
                                     sizeof(fake_client_hello)) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref) {
  return ((bench_conn *)ref->user_data)->conn;
}

static void log_printf(void *user_data, const char *fmt, ...) {
  va_list ap;
  (void)user_data;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static ngtcp2_callbacks callbacks;
static struct sockaddr_in local_addr, remote_addr;

static void setup_static(void) {
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.client_initial =
      mode == MODE_TLS ? ngtcp2_crypto_client_initial_cb : keys_client_initial;
  callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  callbacks.encrypt = ngtcp2_crypto_encrypt_cb;
  callbacks.decrypt = ngtcp2_crypto_decrypt_cb;
  callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb;
  callbacks.recv_retry = ngtcp2_crypto_recv_retry_cb;
  callbacks.rand = cb_rand;
  callbacks.get_new_connection_id = cb_get_new_connection_id;
  callbacks.update_key = ngtcp2_crypto_update_key_cb;
  callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  callbacks.delete_crypto_cipher_ctx =
      ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb;

  memset(&local_addr, 0, sizeof(local_addr));
  local_addr.sin_family = AF_INET;
  local_addr.sin_port = htons(50000);
  local_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  remote_addr = local_addr;
  remote_addr.sin_port = htons(443);

  for (size_t i = 0; i < sizeof(fake_client_hello); ++i) {
    fake_client_hello[i] = (uint8_t)(i * 7 + 1);
  }
  fake_client_hello[0] = 0x01; /* handshake type client_hello */

  if (mode == MODE_TLS) {
    if (gnutls_certificate_allocate_credentials(&cred) != 0 ||
        gnutls_priority_init(
            &prio,
            "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:"
            "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
            "+AES-128-CCM:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"
            "+GROUP-SECP384R1:+GROUP-SECP521R1",
            NULL) != 0) {
      fprintf(stderr, "gnutls setup failed\n");
      exit(2);
    }
  }
}

static int conn_new(bench_conn *bc, const ngtcp2_cid *fixed_dcid,
                    const ngtcp2_cid *fixed_scid, ngtcp2_tstamp ts) {
  ngtcp2_cid dcid, scid;
  ngtcp2_settings settings;
  ngtcp2_transport_params params;
  ngtcp2_path path = {
      {(struct sockaddr *)&local_addr, sizeof(local_addr)},
      {(struct sockaddr *)&remote_addr, sizeof(remote_addr)},
      NULL,
  };

  if (fixed_dcid) {
    dcid = *fixed_dcid;
  } else {
    dcid.datalen = 18;
    rng_fill(dcid.data, dcid.datalen);
  }
  if (fixed_scid) {
    scid = *fixed_scid;
  } else {
    scid.datalen = 17;
    rng_fill(scid.data, scid.datalen);
  }

  ngtcp2_settings_default(&settings);
  settings.initial_ts = ts;
  settings.log_printf = verbose_log ? log_printf : NULL;

  ngtcp2_transport_params_default(&params);
  params.initial_max_streams_uni = 3;
  params.initial_max_stream_data_bidi_local = 256 * 1024;
  params.initial_max_stream_data_uni = 256 * 1024;
  params.initial_max_data = 1024 * 1024;

  bc->conn_ref.get_conn = get_conn;
  bc->conn_ref.user_data = bc;
  bc->session = NULL;
  bc->keys_installed = 0;

  int rv = ngtcp2_conn_client_new(&bc->conn, &dcid, &scid, &path,
                                  NGTCP2_PROTO_VER_V1, &callbacks, &settings,
                                  &params, NULL, bc);
  if (rv != 0) {
    fprintf(stderr, "ngtcp2_conn_client_new: %s\n", ngtcp2_strerror(rv));
    return -1;
  }

  if (mode == MODE_TLS) {
    static const uint8_t h3[] = "h3";
    gnutls_datum_t alpn = {(unsigned char *)h3, 2};
    if (gnutls_init(&bc->session, GNUTLS_CLIENT | GNUTLS_ENABLE_EARLY_DATA |
                                      GNUTLS_NO_END_OF_EARLY_DATA) != 0 ||
        gnutls_priority_set(bc->session, prio) != 0 ||
        ngtcp2_crypto_gnutls_configure_client_session(bc->session) != 0 ||
        gnutls_credentials_set(bc->session, GNUTLS_CRD_CERTIFICATE, cred) !=
            0) {
      fprintf(stderr, "gnutls session setup failed\n");
      return -1;
    }
    gnutls_session_set_ptr(bc->session, &bc->conn_ref);
    gnutls_alpn_set_protocols(bc->session, &alpn, 1, GNUTLS_ALPN_MANDATORY);
    gnutls_server_name_set(bc->session, GNUTLS_NAME_DNS, "localhost", 9);
    ngtcp2_conn_set_tls_native_handle(bc->conn, bc->session);
  }
  return 0;
}

static ngtcp2_ssize conn_first(bench_conn *bc, uint8_t *buf,
                               ngtcp2_tstamp ts) {
  ngtcp2_pkt_info pi;
  ngtcp2_ssize n = ngtcp2_conn_write_pkt(bc->conn, NULL, &pi, buf, BUFLEN, ts);
  if (n <= 0) {
    fprintf(stderr, "ngtcp2_conn_write_pkt: %s\n",
            n ? ngtcp2_strerror((int)n) : "wrote nothing");
    exit(1);
  }
  return n;
}

static ngtcp2_connection_close_error ccerr;

static ngtcp2_ssize conn_close(bench_conn *bc, uint8_t *buf,
                               ngtcp2_tstamp ts) {
  ngtcp2_pkt_info pi;
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(bc->conn, NULL, &pi,
                                                      buf, BUFLEN, &ccerr, ts);
  if (n <= 0) {
    fprintf(stderr, "ngtcp2_conn_write_connection_close: %s\n",
            n ? ngtcp2_strerror((int)n) : "wrote nothing");
    exit(1);
  }
  return n;
}

static void conn_del(bench_conn *bc) {
  ngtcp2_conn_del(bc->conn);
  bc->conn = NULL;
  if (bc->session) {
    gnutls_deinit(bc->session);
    bc->session = NULL;
  }
}

static uint8_t buf1[BUFLEN], buf2[BUFLEN];
static volatile size_t sink;

static double run_loop(size_t iters, int with_close) {
  bench_conn bc;
  uint64_t t0 = now_ns();
  for (size_t i = 0; i < iters; ++i) {
    ngtcp2_tstamp ts = now_ns();
    if (conn_new(&bc, NULL, NULL, ts) != 0) {
      exit(1);
    }
    sink += (size_t)conn_first(&bc, buf1, ts);
    if (with_close) {
      sink += (size_t)conn_close(&bc, buf2, ts);
    }
    conn_del(&bc);
  }
  return (double)(now_ns() - t0) / (double)iters;
}

typedef struct {
  double ph_new, ph_keys, ph_first, ph_close, ph_del;
} phases;

static phases run_phases(size_t iters, size_t batch) {
  bench_conn *bcs = calloc(batch, sizeof(*bcs));
  uint64_t acc[5] = {0, 0, 0, 0, 0};
  size_t done = 0;
  phases r;
  if (!bcs) {
    exit(2);
  }
  while (done < iters) {
    size_t n = iters - done < batch ? iters - done : batch;
    ngtcp2_tstamp ts = now_ns();
    uint64_t t0 = now_ns();
    for (size_t j = 0; j < n; ++j) {
      if (conn_new(&bcs[j], NULL, NULL, ts) != 0) {
        exit(1);
      }
    }
    uint64_t t1 = now_ns();
    if (mode == MODE_KEYS) {
      for (size_t j = 0; j < n; ++j) {
        if (install_initial_keys(&bcs[j]) != 0) {
          fprintf(stderr, "installing Initial keys failed\n");
          exit(1);
        }
      }
    }
    uint64_t t1k = now_ns();
    for (size_t j = 0; j < n; ++j) {
      sink += (size_t)conn_first(&bcs[j], buf1, ts);
    }
    uint64_t t2 = now_ns();
    for (size_t j = 0; j < n; ++j) {
      sink += (size_t)conn_close(&bcs[j], buf2, ts);
    }
    uint64_t t3 = now_ns();
    for (size_t j = 0; j < n; ++j) {
      conn_del(&bcs[j]);
    }
    uint64_t t4 = now_ns();
    acc[0] += t1 - t0;
    acc[1] += t1k - t1;
    acc[2] += t2 - t1k;
    acc[3] += t3 - t2;
    acc[4] += t4 - t3;
    done += n;
  }
  free(bcs);
  r.ph_new = (double)acc[0] / (double)iters;
  r.ph_keys = (double)acc[1] / (double)iters;
  r.ph_first = (double)acc[2] / (double)iters;
  r.ph_close = (double)acc[3] / (double)iters;
  r.ph_del = (double)acc[4] / (double)iters;
  return r;
}

static double run_stateless(size_t iters) {
  ngtcp2_cid dcid, scid;
  dcid.datalen = 17;
  scid.datalen = 18;
  uint64_t t0 = now_ns();
  for (size_t i = 0; i < iters; ++i) {
    rng_fill(dcid.data, dcid.datalen);
    rng_fill(scid.data, scid.datalen);
    ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(
        buf2, BUFLEN, NGTCP2_PROTO_VER_V1, &dcid, &scid, error_code,
        (const uint8_t *)reason, strlen(reason));
    if (n <= 0) {
      fprintf(stderr, "ngtcp2_crypto_write_connection_close failed\n");
      exit(1);
    }
    sink += (size_t)n;
  }
  return (double)(now_ns() - t0) / (double)iters;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *metric, double *v, int rounds, size_t iters) {
  qsort(v, (size_t)rounds, sizeof(double), cmp_double);
  double med = rounds % 2 ? v[rounds / 2]
                          : (v[rounds / 2 - 1] + v[rounds / 2]) / 2.0;
  printf("result mode=%s metric=%s iters=%zu rounds=%d ns_per_op_min=%.1f "
         "ns_per_op_median=%.1f ns_per_op_max=%.1f ops_per_s_median=%.0f\n",
         mode == MODE_TLS ? "tls" : "keys", metric, iters, rounds, v[0], med,
         v[rounds - 1], 1e9 / med);
}

static double median_of(double *v, int rounds) {
  qsort(v, (size_t)rounds, sizeof(double), cmp_double);
  return rounds % 2 ? v[rounds / 2]
                    : (v[rounds / 2 - 1] + v[rounds / 2]) / 2.0;
}

static int parse_cid(const char *hex, ngtcp2_cid *cid) {
  size_t n = strlen(hex);
  if (n % 2 || n / 2 > NGTCP2_MAX_CIDLEN) {
    return -1;
  }
  for (size_t i = 0; i < n / 2; ++i) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
      return -1;
    }
    cid->data[i] = (uint8_t)v;
  }
  cid->datalen = n / 2;
  return 0;
}

static void write_file(const char *path, const uint8_t *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    exit(2);
  }
}

static void print_hex(const char *label, const uint8_t *p, size_t n) {
  printf("%s=", label);
  for (size_t i = 0; i < n; ++i) {
    printf("%02x", p[i]);
  }
  putchar('\n');
}

static void usage(void) {
  fprintf(stderr,
          "usage: ngtcp2-close-bench [--mode keys|tls] [--iters N] "
          "[--warmup N] [--rounds R] [--batch B]\n"
          "         [--error CODE] [--reason TEXT] [--app] [--only "
          "loop|phases|stateless]\n"
          "         [--dump FILE] [--dump-first FILE] [--dcid HEX] "
          "[--scid HEX] [--log] [--no-bench]\n");
  exit(2);
}

int main(int argc, char **argv) {
  size_t iters = 200000, warmup = 20000, batch = 16;
  int rounds = 5, no_bench = 0;
  const char *dump = NULL, *dump_first = NULL, *only = NULL;
  ngtcp2_cid fdcid, fscid;
  int have_dcid = 0, have_scid = 0;
  static const struct option opts[] = {
      {"mode", required_argument, 0, 'm'},
      {"iters", required_argument, 0, 'n'},
      {"warmup", required_argument, 0, 'w'},
      {"rounds", required_argument, 0, 'r'},
      {"batch", required_argument, 0, 'b'},
      {"error", required_argument, 0, 'e'},
      {"reason", required_argument, 0, 'R'},
      {"app", no_argument, 0, 'a'},
      {"only", required_argument, 0, 'o'},
      {"dump", required_argument, 0, 'd'},
      {"dump-first", required_argument, 0, 'f'},
      {"dcid", required_argument, 0, 'D'},
      {"scid", required_argument, 0, 'S'},
      {"log", no_argument, 0, 'l'},
      {"no-bench", no_argument, 0, 'N'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'm':
      if (!strcmp(optarg, "keys")) {
        mode = MODE_KEYS;
      } else if (!strcmp(optarg, "tls")) {
        mode = MODE_TLS;
      } else {
        usage();
      }
      break;
    case 'n': iters = strtoull(optarg, NULL, 0); break;
    case 'w': warmup = strtoull(optarg, NULL, 0); break;
    case 'r': rounds = atoi(optarg); break;
    case 'b': batch = strtoull(optarg, NULL, 0); break;
    case 'e': error_code = strtoull(optarg, NULL, 0); break;
    case 'R': reason = optarg; break;
    case 'a': app_close = 1; break;
    case 'o': only = optarg; break;
    case 'd': dump = optarg; break;
    case 'f': dump_first = optarg; break;
    case 'D':
      if (parse_cid(optarg, &fdcid) != 0) usage();
      have_dcid = 1;
      break;
    case 'S':
      if (parse_cid(optarg, &fscid) != 0) usage();
      have_scid = 1;
      break;
    case 'l': verbose_log = 1; break;
    case 'N': no_bench = 1; break;
    default: usage();
    }
  }
  if (rounds < 1 || rounds > 101 || iters == 0 || batch == 0) {
    usage();
  }

  /* Keep glibc from returning memory to the kernel between batches (trim,
     mmap) -- otherwise page faults, not ngtcp2, dominate the batched
     phases. */
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);

  setup_static();
  if (app_close) {
    ngtcp2_connection_close_error_set_application_error(
        &ccerr, error_code, (const uint8_t *)reason, strlen(reason));
  } else {
    ngtcp2_connection_close_error_set_transport_error(
        &ccerr, error_code, (const uint8_t *)reason, strlen(reason));
  }

  const ngtcp2_info *info = ngtcp2_version(0);
  printf("# libngtcp2 %s, gnutls %s, mode=%s, error=0x%llx (%s), "
         "reason=\"%s\" (%zu bytes), buffer=%d bytes\n",
         info->version_str, gnutls_check_version(NULL),
         mode == MODE_TLS ? "tls" : "keys",
         (unsigned long long)error_code, app_close ? "application" : "transport",
         reason, strlen(reason), BUFLEN);

  /* One connection done slowly: sizes, optional dump and log. */
  {
    bench_conn bc;
    ngtcp2_tstamp ts = now_ns();
    if (!have_dcid) {
      fdcid.datalen = 18;
      rng_fill(fdcid.data, fdcid.datalen);
    }
    if (!have_scid) {
      fscid.datalen = 17;
      rng_fill(fscid.data, fscid.datalen);
    }
    if (conn_new(&bc, &fdcid, &fscid, ts) != 0) {
      return 1;
    }
    ngtcp2_ssize n1 = conn_first(&bc, buf1, ts);
    ngtcp2_ssize n2 = conn_close(&bc, buf2, ts);
    printf("# first Initial %zd bytes; CONNECTION_CLOSE datagram %zd bytes\n",
           n1, n2);
    print_hex("# dcid", fdcid.data, fdcid.datalen);
    print_hex("# scid", fscid.data, fscid.datalen);
    if (dump_first) {
      write_file(dump_first, buf1, (size_t)n1);
      printf("# wrote %s (%zd bytes)\n", dump_first, n1);
    }
    if (dump) {
      write_file(dump, buf2, (size_t)n2);
      printf("# wrote %s (%zd bytes)\n", dump, n2);
    }
    conn_del(&bc);
  }
  verbose_log = 0;
  fflush(stdout);
  if (no_bench) {
    return 0;
  }

  double *v = calloc((size_t)rounds, sizeof(double));
  double *v2 = calloc((size_t)rounds, sizeof(double));
  if (!v || !v2) {
    return 2;
  }

  /* Warm-up: the full loop. */
  run_loop(warmup, 1);

  if (!only || !strcmp(only, "loop")) {
    double full_med, noclose_med;
    for (int r = 0; r < rounds; ++r) {
      v[r] = run_loop(iters, 1);
      v2[r] = run_loop(iters, 0);
    }
    report("loop_full", v, rounds, iters);
    full_med = median_of(v, rounds);
    report("loop_noclose", v2, rounds, iters);
    noclose_med = median_of(v2, rounds);
    printf("result mode=%s metric=close_by_diff ns_per_op=%.1f\n",
           mode == MODE_TLS ? "tls" : "keys", full_med - noclose_med);
  }

  if (!only || !strcmp(only, "phases")) {
    double *pn = calloc((size_t)rounds, sizeof(double));
    double *pk = calloc((size_t)rounds, sizeof(double));
    double *pf = calloc((size_t)rounds, sizeof(double));
    double *pc = calloc((size_t)rounds, sizeof(double));
    double *pd = calloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; ++r) {
      phases p = run_phases(iters, batch);
      pn[r] = p.ph_new;
      pk[r] = p.ph_keys;
      pf[r] = p.ph_first;
      pc[r] = p.ph_close;
      pd[r] = p.ph_del;
    }
    printf("# phases timed over batches of %zu connections\n", batch);
    report("phase_new", pn, rounds, iters);
    if (mode == MODE_KEYS) {
      report("phase_keys", pk, rounds, iters);
    }
    report("phase_first", pf, rounds, iters);
    report("phase_close", pc, rounds, iters);
    report("phase_del", pd, rounds, iters);
    if (mode == MODE_KEYS) {
      double eq = median_of(pn, rounds) + median_of(pk, rounds) +
                  median_of(pc, rounds) + median_of(pd, rounds);
      printf("result mode=keys metric=equiv_loop ns_per_op=%.1f "
             "ops_per_s=%.0f (phase_new+phase_keys+phase_close+phase_del "
             "medians: the loop without the first Initial packet)\n",
             eq, 1e9 / eq);
    }
    free(pn);
    free(pk);
    free(pf);
    free(pc);
    free(pd);
  }

  if (!only || !strcmp(only, "stateless")) {
    run_stateless(warmup);
    for (int r = 0; r < rounds; ++r) {
      v[r] = run_stateless(iters);
    }
    report("stateless_cc", v, rounds, iters);
  }

  free(v);
  free(v2);
  return sink == 0;
}
