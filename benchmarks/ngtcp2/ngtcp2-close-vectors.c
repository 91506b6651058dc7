/*
 * ngtcp2-close-vectors.c -- writes CONNECTION_CLOSE datagrams with the installed libngtcp2 (Debian 12: 0.12.1 with
 * libngtcp2_crypto_gnutls) and prints them as hex, one case per line, for Libngtcp2*VectorsTest in quic-core.
 *
 * Every input is fixed (connection IDs, CRYPTO bytes, timestamps, the rand callback), so a run reproduces the same
 * bytes. Three kinds of case:
 *   client     ngtcp2_conn_client_new, Initial keys installed through ngtcp2_crypto_recv_retry_cb (the one exported
 *              0.12 entry point that derives them without TLS), 300 bytes of 0x01 queued as Initial CRYPTO data, the
 *              first Initial written (ngtcp2_conn_write_pkt), then ngtcp2_conn_write_connection_close.
 *   server     such a client's first Initial read by ngtcp2_conn_server_new + ngtcp2_conn_read_pkt
 *              (recv_client_initial = ngtcp2_crypto_recv_client_initial_cb, recv_crypto_data a stub that takes the
 *              bytes and does nothing); optionally a Handshake tx key installed by hand from a fixed secret
 *              (AES-128-GCM / SHA-256 context set with ngtcp2_conn_set_crypto_ctx, then
 *              ngtcp2_crypto_derive_and_install_tx_key), optionally server datagrams written first with
 *              ngtcp2_conn_write_pkt (fixed CRYPTO bytes) to use up the 3x amplification budget; then the close.
 *   stateless  ngtcp2_crypto_write_connection_close.
 *   server1rtt a server as above that also holds Handshake and 1-RTT tx keys (ngtcp2_crypto_derive_and_install_tx_key
 *              from fixed secrets), unconfirmed or after ngtcp2_conn_handshake_completed (confirmed); optionally it
 *              first writes pre 1-RTT packets of one STREAM byte each (a validated token, settings.token, which the
 *              client's Initial carries, lifts the amplification limit). 0.12.1 aborts on the application close
 *              of such a confirmed server (an assertion, close-spec §7): the close runs in a child process, and an
 *              abort is printed as out=ABORT:signal<n>.
 *   clienths   a client that read the server's first datagram (Initial and Handshake CRYPTO data, printed as sin)
 *              with Handshake keys of both directions installed by hand: its close is a Handshake packet.
 *   clientretry a client that read a Retry (ngtcp2_crypto_write_retry, printed as retry) and wrote its second
 *              Initial (printed as second).
 *   client1rtt a client whose handshake completed: as clienths, plus the server's transport parameters (stp) and
 *              1-RTT keys of both directions, told the handshake completed; it wrote its Finished (cfin) and, if
 *              confirmed, read the server's HANDSHAKE_DONE datagram (sdone). settings.no_pmtud on both sides.
 *   keyupdate  a confirmed client1rtt pair, then a key update (ngtcp2_conn_initiate_key_update, kut ns later):
 *              ku=server the server updates and sends a 1-byte STREAM frame with Key Phase 1 (kupkt), the client
 *              reads it and closes; ku=client the other way round, and the server closes. With kudt, the closing
 *              endpoint first writes its datagrams kudt ns later (kuack: its ACK, with the new keys). With ku2dt as
 *              well, the updater read kuack (its update confirmed), wrote one more byte (kumore) kudt ns later, read
 *              the peer's ACK of it (kuack2) another kudt ns later, and, ku2dt ns after that, updated again: one
 *              more byte with Key Phase 0 and the generation after next (ku2pkt), which the closing endpoint reads.
 *   hostile1rtt a confirmed client1rtt pair; then the peer's authentic 1-RTT packet (sealed here with gnutls and the
 *              peer's 1-RTT secret, since ngtcp2 writes no arbitrary frames) carrying frames, with the reserved bits
 *              as given, is read by the server (to=server) or the client (to=client), which then closes.
 *   hostileinitial during the handshake, the same with an Initial packet: a server that read the client's first
 *              Initial (in) reads its next one (none: bad is the first), or a client reads the server's first Initial.
 *              For both hostile kinds: rv (what ngtcp2_conn_read_pkt returned), ccerr (the transport error code that
 *              ngtcp2_connection_close_error_set_transport_error_liberr gives rv, with which the close is written),
 *              cctype (only when that close type is not TRANSPORT: versionnegotiation, which writes nothing), peer
 *              (when draining, the peer's close: type:code:frame type:reason hex). The same two kinds carry the
 *              receive-path cases, where the reader may first read read1 (read1_rv: what read_pkt returned), write its
 *              second Initial (second) or its own close (close1, transport NO_ERROR) before bad:
 *                sr-*  a stateless reset (reset_case): to a client whose server's transport parameters carry a
 *                      stateless_reset_token, or to a server that read the client's NEW_CONNECTION_ID (read1); form
 *                      (short|long|longtrunc) and token (inuse|flipped|unused) say which datagram;
 *                vn-*, rx-*  a Version Negotiation or Retry packet to a client after its first Initial (early_case),
 *                      after nothing, the server's Initial (read1) or a first Retry (read1, second);
 *                cl-*, dr-*  what (ping|close|empty|garbage) a closing (close1) or draining (read1: the peer's
 *                      CONNECTION_CLOSE) reader reads next (closed_case).
 *                co-*  a server that read in reads the client's coalesced packets (co: dcid|auth|levels,
 *                      coalesced_case); tr-*  a confirmed reader reads a 1-RTT packet followed by trail bytes.
 *   peertp     a server that read the client's first Initial (to=server; an Initial close) or a client at Handshake
 *              level as in clienths (to=client) takes the peer's transport parameters (ptp, one thing wrong each)
 *              through ngtcp2_conn_decode_remote_transport_params (rv), then closes with the ccerr of rv (tp_case).
 *   firstcontact a client's first Initial, sealed here (bad, len bytes; co: none, or coalesced with a 0-RTT or a
 *              Handshake packet, or followed by junk), judged by ngtcp2_accept (accept), then read by a server built
 *              for its DCID (rv, ccerr, out as for the hostile kinds; not for a 21-byte DCID) (first_contact_case).
 *   hostilehs  the handshake levels (handshake_case): a server that wrote its Initial + Handshake flight (sin)
 *              and holds its Handshake rx key, or a client that read sin with Handshake keys; step 1 the server first
 *              spends its amplification budget (pre_out), the client writes its ACKs (cw), step 2 its Finished (cw);
 *              then the peer's hand-sealed Handshake (level=2) or Initial (level=0) packet carrying frames (reserved
 *              bits as given, flip: its last byte inverted), or none (frames empty: a NO_ERROR close), and the close,
 *              with rv, ccerr, peer as for the hostile kinds.
 *   rtt        the RTT estimate and the PTO (ngtcp2_conn_get_conn_stat, ngtcp2_conn_get_pto) of a libngtcp2 client or
 *              server (role) through its handshake and 1-RTT packets, each acknowledged by a peer whose packets are
 *              sealed by hand (rtt_case), so that every ACK frame is chosen: its ranges and ACK Delay, also in
 *              Initial and Handshake packets; no close (out= only if a step failed). Every step is an event, and
 *              after each datagram read and when the handshake completed libngtcp2's values are printed (the event
 *              and value keys are below).
 *
 * Output: comment lines start with '#'; every other line is "<case name> key=value ... out=<hex or ERR:<rv>>".
 * Keys: kind, ver, dcid, scid (the client's), sscid (server), type (transport|app), code, reasonlen (reason byte i
 * is 'a' + i % 26), destlen, hs (server Handshake tx secret), pre (server CRYPTO bytes written before the close),
 * in (the client Initial the server read), pre_out (what the server wrote before), first (the client's first
 * Initial), as (server 1-RTT secret), hsc (client Handshake secret), confirmed, tok, pre1rtt (1-RTT packets the
 * server wrote before the close), rscid (the Retry's SCID), asc (client 1-RTT secret), tp (the client's transport
 * parameters), stp (the server's), cfin, sdone, ku, kut, kupkt, kudt, kuack, ku2dt, kumore, kuack2, ku2pkt, to,
 * frames (the hostile packet's frames: bad puts PADDING before them in a 1-RTT payload shorter than 3 bytes, after
 * them in a client's Initial to make it 1200 bytes), reserved, bad (the hostile datagram), rv, ccerr, cctype, peer,
 * form, token, what, read1, read1_rv, second, close1, co, trail, ptp, len, accept, step, level, flip, cw;
 * sdone_dgram, kuack_dgram and kuack2_dgram give the length of each datagram of those. The close is written into a
 * buffer of exactly destlen bytes (1500 for the hostile kinds). The rtt cases have role (client|server: X, the
 * libngtcp2 endpoint measured), pexp and pmad (the peer's ack_delay_exponent and max_ack_delay in ms), ptp (the
 * peer's transport parameters, which X decodes) and ltp (X's own), and the events e1, e2, ... in order, each
 * <op>:<args>:
 *   w:<t>:<hex>           X wrote a datagram (ngtcp2_conn_write_pkt) at T0 + t nanoseconds: <hex>
 *   r:<t>:<hex>           X read the peer's datagram <hex> at T0 + t
 *   f:<t>:<hex>           the same for a server X reading the client's Finished (Handshake CRYPTO data), whose
 *                         recv_crypto_data callback tells it the handshake completed, as a TLS stack does
 *   c:<I|H|A>:<n>:<byte>  X queued n bytes of <byte> (hex) as CRYPTO data at Initial, Handshake or 1-RTT level (the
 *                         client's first 300 from its client_initial callback)
 *   k:<H|A>:<tx|rx>       X installed its Handshake or 1-RTT key of that direction (the secrets hs, hsc, as, asc)
 *   p                     X took the peer's transport parameters (ptp)
 *   d                     X was told the handshake completed (ngtcp2_conn_handshake_completed)
 * and, after each r, f and d event i, what libngtcp2 then reports: lat<i>, min<i>, srtt<i> and var<i> (latest_rtt,
 * min_rtt, smoothed_rtt and rttvar of ngtcp2_conn_get_conn_stat, in nanoseconds; min_rtt is UINT64_MAX before the
 * first sample) and pto<i> (ngtcp2_conn_get_pto). The peer's ACK Delay fields use its ack_delay_exponent in 1-RTT
 * packets and 3 in Initial and Handshake packets.
 *
 * Build and run: benchmarks/ngtcp2/close-vectors.sh (gcc, pkg-config libngtcp2 libngtcp2_crypto_gnutls gnutls).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#if NGTCP2_VERSION_NUM >= 0x010000
#error "written for the libngtcp2 0.12 API (ngtcp2_connection_close_error, ngtcp2_crypto_level)"
#endif

#define T0 ((ngtcp2_tstamp)1000000000ULL)
#define MAXBUF 4096

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static int verbose_log = 0;
static int no_shaping = 0; /* settings.no_tx_udp_payload_size_shaping for the next client_case */
static const char *client_token = NULL; /* settings.token (hex) of the next new_client */
/* the undecryptable datagram of the next server_case (see there): 0 a short header to the server's SCID; 1 a long
   Handshake header to it whose Length runs past the datagram; 2 a short header to another connection ID; 3 a long
   header of an unknown version to the server's SCID; 4 a short header to the server's SCID with the QUIC bit 0 */
static int junk_kind = 0;
static int no_pmtud = 0; /* settings.no_pmtud of the next connections (the client 1-RTT cases) */
static ngtcp2_recv_crypto_data server_recv_crypto = NULL; /* the next new_server's recv_crypto_data, if not the stub */
/* the next client_1rtt_case (confirmed) ends with a key update (RFC 9001 §6) instead: 1 the server initiates it and
   the client closes, 2 the client initiates it and the server closes; KU_DT after T0 */
static int key_update = 0;
#define KU_DT ((ngtcp2_tstamp)10000000ULL)
/* how far the next keyupdate case goes before the peer closes: 0 it read the key phase 1 packet; 1 it also wrote its
   datagrams in the new phase (the ACK of that packet), KU_ACK_DT later; 2 the initiator also read them, which
   confirms its update (RFC 9001 §6.1: an acknowledgment of a packet sent with the new keys), exchanged one more
   packet and its ACK with the peer, and updated again KU2_DT later (key phase 0, the generation after next: §6),
   whose packet the peer read. KU_ACK_DT is max_ack_delay, after which the peer's ACK is due; KU2_DT is past 3 PTOs
   of either endpoint even at the initial RTT estimate (RFC 9002: 333 ms, a PTO of about 1 s), so that 0.12.1 allows
   the second update and both endpoints have derived its keys */
static int ku_steps = 0;
/* the stateless_reset_token (hex) in the transport parameters of the next new_server (the reset cases), or none */
static const char *server_reset_token = NULL;
/* the stateless reset token of the connection ID a server issued last (get_new_connection_id) */
static uint8_t server_issued_token[NGTCP2_STATELESS_RESET_TOKENLEN];
#define KU_ACK_DT ((ngtcp2_tstamp)25000000ULL)
#define KU2_DT ((ngtcp2_tstamp)5000000000ULL)

static void rng_fill(uint8_t *p, size_t n) {
  while (n) {
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    x *= 0x2545f4914f6cdd1dULL;
    size_t k = n < 8 ? n : 8;
    memcpy(p, &x, k);
    p += k;
    n -= k;
  }
}

static void cb_rand(uint8_t *dest, size_t destlen, const ngtcp2_rand_ctx *rand_ctx) {
  (void)rand_ctx;
  rng_fill(dest, destlen);
}

static int cb_get_new_connection_id(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen,
                                    void *user_data) {
  (void)conn;
  (void)user_data;
  rng_fill(cid->data, cidlen);
  cid->datalen = cidlen;
  rng_fill(token, NGTCP2_STATELESS_RESET_TOKENLEN);
  if (ngtcp2_conn_is_server(conn)) {
    memcpy(server_issued_token, token, NGTCP2_STATELESS_RESET_TOKENLEN);
  }
  return 0;
}

static uint8_t client_hello[300]; /* 300 x 0x01: ConnectionFixtures.CLIENT_HELLO */

static int client_initial(ngtcp2_conn *conn, void *user_data) {
  ngtcp2_pkt_hd hd;
  (void)user_data;
  memset(&hd, 0, sizeof(hd));
  hd.scid = *ngtcp2_conn_get_dcid(conn);
  if (ngtcp2_crypto_recv_retry_cb(conn, &hd, NULL) != 0 ||
      ngtcp2_conn_submit_crypto_data(conn, NGTCP2_CRYPTO_LEVEL_INITIAL, client_hello, sizeof(client_hello)) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

static int recv_crypto_data_stub(ngtcp2_conn *conn, ngtcp2_crypto_level level, uint64_t offset,
                                 const uint8_t *data, size_t datalen, void *user_data) {
  (void)conn, (void)level, (void)offset, (void)data, (void)datalen, (void)user_data;
  return 0;
}

static void log_printf(void *user_data, const char *fmt, ...) {
  va_list ap;
  (void)user_data;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static struct sockaddr_in client_addr, server_addr;

static ngtcp2_callbacks base_callbacks(void) {
  ngtcp2_callbacks cb;
  memset(&cb, 0, sizeof(cb));
  cb.recv_crypto_data = recv_crypto_data_stub;
  cb.encrypt = ngtcp2_crypto_encrypt_cb;
  cb.decrypt = ngtcp2_crypto_decrypt_cb;
  cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
  cb.rand = cb_rand;
  cb.get_new_connection_id = cb_get_new_connection_id;
  cb.update_key = ngtcp2_crypto_update_key_cb;
  cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  return cb;
}

/* the transport parameters of every endpoint here, libngtcp2's and the rtt cases' hand-written peer */
static void default_params(ngtcp2_transport_params *p) {
  ngtcp2_transport_params_default(p);
  p->initial_max_streams_uni = 3;
  p->initial_max_stream_data_bidi_local = 256 * 1024;
  p->initial_max_stream_data_uni = 256 * 1024;
  p->initial_max_data = 1024 * 1024;
}

static void default_settings(ngtcp2_settings *s, ngtcp2_transport_params *p) {
  ngtcp2_settings_default(s);
  s->initial_ts = T0;
  s->log_printf = verbose_log ? log_printf : NULL;
  s->no_tx_udp_payload_size_shaping = no_shaping;
  s->no_pmtud = no_pmtud;
  default_params(p);
}

static void parse_hex(const char *hex, uint8_t *out, size_t *outlen) {
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; ++i) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  *outlen = n;
}

static ngtcp2_cid cid_of(const char *hex) {
  ngtcp2_cid c;
  parse_hex(hex, c.data, &c.datalen);
  return c;
}

static void print_hex(const char *key, const uint8_t *p, size_t n) {
  printf(" %s=", key);
  for (size_t i = 0; i < n; ++i) {
    printf("%02x", p[i]);
  }
}

static void print_out(ngtcp2_ssize n, const uint8_t *buf) {
  if (n < 0) {
    printf(" out=ERR:%zd(%s)\n", n, ngtcp2_strerror((int)n));
  } else {
    print_hex("out", buf, (size_t)n);
    putchar('\n');
  }
}

static const uint8_t *reason_of(size_t len) {
  static uint8_t r[MAXBUF];
  for (size_t i = 0; i < len; ++i) {
    r[i] = (uint8_t)('a' + i % 26);
  }
  return r;
}

static void set_ccerr(ngtcp2_connection_close_error *e, int app, uint64_t code, size_t reasonlen) {
  if (app) {
    ngtcp2_connection_close_error_set_application_error(e, code, reason_of(reasonlen), reasonlen);
  } else {
    ngtcp2_connection_close_error_set_transport_error(e, code, reason_of(reasonlen), reasonlen);
  }
}

static ngtcp2_path client_path(void) {
  ngtcp2_path p = {{(struct sockaddr *)&client_addr, sizeof(client_addr)},
                   {(struct sockaddr *)&server_addr, sizeof(server_addr)}, NULL};
  return p;
}

static ngtcp2_path server_path(void) {
  ngtcp2_path p = {{(struct sockaddr *)&server_addr, sizeof(server_addr)},
                   {(struct sockaddr *)&client_addr, sizeof(client_addr)}, NULL};
  return p;
}

static uint8_t client_tp[512];
static ngtcp2_ssize client_tplen;

/* A client that wrote its first Initial (into *first, *firstlen); its encoded transport parameters are left in
   client_tp. */
static ngtcp2_conn *new_client(uint32_t version, const char *dcid_hex, const char *scid_hex, uint8_t *first,
                               ngtcp2_ssize *firstlen) {
  ngtcp2_conn *conn;
  ngtcp2_settings s;
  ngtcp2_transport_params p;
  ngtcp2_callbacks cb = base_callbacks();
  ngtcp2_cid dcid = cid_of(dcid_hex), scid = cid_of(scid_hex);
  ngtcp2_path path = client_path();
  ngtcp2_pkt_info pi;
  static uint8_t tok[256];
  size_t toklen;
  cb.client_initial = client_initial;
  default_settings(&s, &p);
  if (client_token) {
    /* a token from an earlier connection (NEW_TOKEN): every Initial carries it */
    parse_hex(client_token, tok, &toklen);
    s.token.base = tok;
    s.token.len = toklen;
  }
  int rv = ngtcp2_conn_client_new(&conn, &dcid, &scid, &path, version, &cb, &s, &p, NULL, NULL);
  if (rv != 0) {
    *firstlen = rv;
    return NULL;
  }
  client_tplen = ngtcp2_conn_encode_local_transport_params(conn, client_tp, sizeof(client_tp));
  *firstlen = ngtcp2_conn_write_pkt(conn, NULL, &pi, first, 1500, T0);
  if (*firstlen <= 0) {
    ngtcp2_conn_del(conn);
    return NULL;
  }
  return conn;
}

static void client_case(const char *name, uint32_t version, const char *dcid, const char *scid, int app,
                        uint64_t code, size_t reasonlen, size_t destlen, int print_first) {
  static uint8_t first[MAXBUF], buf[MAXBUF];
  ngtcp2_ssize firstlen, n;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  printf("%s kind=client ver=%08" PRIx32 " dcid=%s scid=%s shaping=%s type=%s code=0x%" PRIx64
         " reasonlen=%zu destlen=%zu",
         name, version, dcid, scid, no_shaping ? "off" : "on", app ? "app" : "transport", code, reasonlen, destlen);
  ngtcp2_conn *conn = new_client(version, dcid, scid, first, &firstlen);
  if (!conn) {
    printf(" out=ERR:%zd(client setup: %s)\n", firstlen, ngtcp2_strerror((int)firstlen));
    return;
  }
  if (print_first) {
    print_hex("first", first, (size_t)firstlen);
  }
  set_ccerr(&e, app, code, reasonlen);
  n = ngtcp2_conn_write_connection_close(conn, NULL, &pi, buf, destlen, &e, T0);
  print_out(n, buf);
  ngtcp2_conn_del(conn);
}

static void install_handshake_tx(ngtcp2_conn *conn, const uint8_t *secret) {
  ngtcp2_crypto_ctx ctx;
  uint8_t key[16], iv[12], hp[16];
  memset(&ctx, 0, sizeof(ctx));
  ctx.aead.native_handle = (void *)GNUTLS_CIPHER_AES_128_GCM;
  ctx.aead.max_overhead = 16;
  ctx.md.native_handle = (void *)GNUTLS_DIG_SHA256;
  ctx.hp.native_handle = (void *)GNUTLS_CIPHER_AES_128_CBC;
  ctx.max_encryption = 1ULL << 23;
  ctx.max_decryption_failure = 1ULL << 52;
  ngtcp2_conn_set_crypto_ctx(conn, &ctx);
  if (ngtcp2_crypto_derive_and_install_tx_key(conn, key, iv, hp, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, secret, 32) != 0) {
    fprintf(stderr, "installing the Handshake tx key failed\n");
    exit(1);
  }
}

static int server_recv_client_initial(ngtcp2_conn *conn, const ngtcp2_cid *dcid, void *user_data) {
  return ngtcp2_crypto_recv_client_initial_cb(conn, dcid, user_data);
}

/* pre > 0: before the close the server queues pre bytes (byte i = i & 0xff) of Initial CRYPTO data and writes
   datagrams (ngtcp2_conn_write_pkt, 1452-byte buffer) until it writes nothing more; they are printed as pre_out. */
static void server_case(const char *name, const char *dcid_hex, const char *scid_hex, const char *sscid_hex,
                        const char *hs_hex, size_t pre, size_t junk, int app, uint64_t code, size_t reasonlen,
                        size_t destlen) {
  static uint8_t in[MAXBUF], buf[MAXBUF], hs[64], pre_data[MAXBUF * 4], pre_out[MAXBUF * 8];
  ngtcp2_ssize inlen, n;
  size_t hslen = 0, pre_outlen = 0;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  printf("%s kind=server ver=00000001 dcid=%s scid=%s sscid=%s hs=%s pre=%zu junk=%zu type=%s code=0x%" PRIx64
         " reasonlen=%zu destlen=%zu",
         name, dcid_hex, scid_hex, sscid_hex, hs_hex ? hs_hex : "-", pre, junk, app ? "app" : "transport", code,
         reasonlen, destlen);
  if (junk_kind) {
    printf(" junkkind=%d", junk_kind);
  }
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, dcid_hex, scid_hex, in, &inlen);
  if (!client) {
    printf(" out=ERR:client setup\n");
    return;
  }
  ngtcp2_conn_del(client);
  print_hex("in", in, (size_t)inlen);

  ngtcp2_conn *conn;
  ngtcp2_settings s;
  ngtcp2_transport_params p;
  ngtcp2_callbacks cb = base_callbacks();
  ngtcp2_cid odcid = cid_of(dcid_hex), cscid = cid_of(scid_hex), sscid = cid_of(sscid_hex);
  ngtcp2_path path = server_path();
  cb.recv_client_initial = server_recv_client_initial;
  default_settings(&s, &p);
  p.original_dcid = odcid;
  int rv = ngtcp2_conn_server_new(&conn, &cscid, &sscid, &path, NGTCP2_PROTO_VER_V1, &cb, &s, &p, NULL, NULL);
  if (rv != 0) {
    printf(" out=ERR:%d(server_new)\n", rv);
    return;
  }
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  rv = ngtcp2_conn_read_pkt(conn, &path, &pi, in, (size_t)inlen, T0);
  if (rv != 0) {
    printf(" out=ERR:%d(read_pkt %s)\n", rv, ngtcp2_strerror(rv));
    ngtcp2_conn_del(conn);
    return;
  }
  if (hs_hex) {
    /* a server has Handshake keys only once TLS read the ClientHello, which carries the client's transport
       parameters: 0.12.1 learns the negotiated version (the Handshake packets' version field) from them */
    print_hex("tp", client_tp, (size_t)client_tplen);
    rv = ngtcp2_conn_decode_remote_transport_params(conn, client_tp, (size_t)client_tplen);
    if (rv != 0) {
      printf(" out=ERR:%d(decode_remote_transport_params)\n", rv);
      return;
    }
    parse_hex(hs_hex, hs, &hslen);
    install_handshake_tx(conn, hs);
  }
  if (pre) {
    for (size_t i = 0; i < pre; ++i) {
      pre_data[i] = (uint8_t)i;
    }
    if (ngtcp2_conn_submit_crypto_data(conn, NGTCP2_CRYPTO_LEVEL_INITIAL, pre_data, pre) != 0) {
      printf(" out=ERR:submit_crypto_data\n");
      return;
    }
    for (;;) {
      n = ngtcp2_conn_write_pkt(conn, NULL, &pi, pre_out + pre_outlen, 1452, T0);
      if (n <= 0) {
        break;
      }
      printf(" pre_dgram=%zd", n);
      pre_outlen += (size_t)n;
    }
    print_hex("pre_out", pre_out, pre_outlen);
  }
  if (junk) {
    /* a datagram nobody can decrypt: a header as junk_kind says, then 0x5a bytes */
    memset(buf, 0x5a, junk);
    if (junk_kind == 1 || junk_kind == 3) {
      static const uint8_t v1[4] = {0, 0, 0, 1}, unknown[4] = {0x1a, 0x2a, 0x3a, 0x4a};
      buf[0] = 0xe0; /* long header, QUIC bit, Handshake */
      memcpy(buf + 1, junk_kind == 1 ? v1 : unknown, 4);
      buf[5] = (uint8_t)sscid.datalen;
      memcpy(buf + 6, sscid.data, sscid.datalen);
      buf[6 + sscid.datalen] = 0; /* empty SCID */
      buf[7 + sscid.datalen] = 0x7f; /* Length 16383, past the datagram */
      buf[8 + sscid.datalen] = 0xff;
    } else {
      buf[0] = junk_kind == 4 ? 0x00 : 0x40;
      memcpy(buf + 1, sscid.data, sscid.datalen);
      if (junk_kind == 2) {
        buf[1] ^= 0xff;
      }
    }
    rv = ngtcp2_conn_read_pkt(conn, &path, &pi, buf, junk, T0);
    printf(" junk_rv=%d", rv);
  }
  set_ccerr(&e, app, code, reasonlen);
  n = ngtcp2_conn_write_connection_close(conn, NULL, &pi, buf, destlen, &e, T0);
  print_out(n, buf);
  ngtcp2_conn_del(conn);
}

static void stateless_case(const char *name, const char *dcid_hex, const char *scid_hex, uint64_t code,
                           size_t reasonlen, size_t destlen) {
  static uint8_t buf[MAXBUF];
  ngtcp2_cid dcid = cid_of(dcid_hex), scid = cid_of(scid_hex);
  printf("%s kind=stateless ver=00000001 dcid=%s scid=%s type=transport code=0x%" PRIx64
         " reasonlen=%zu destlen=%zu",
         name, dcid_hex, scid_hex, code, reasonlen, destlen);
  ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(buf, destlen, NGTCP2_PROTO_VER_V1, &dcid, &scid, code,
                                                        reason_of(reasonlen), reasonlen);
  print_out(n, buf);
}

#define D8 "8394c8f03e515708"
#define S8 "0102030405060708"
#define SS8 "f067a5502a4262b5"
#define D18 "ffaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaff"
#define D20 "00112233445566778899aabbccddeeff00112233"
#define HS "4242424242424242424242424242424242424242424242424242424242424242"

/* ---- 1-RTT, client Handshake and Retry cases ---- */

#define AS_S "4444444444444444444444444444444444444444444444444444444444444444" /* server 1-RTT tx secret */
#define AS_C "3333333333333333333333333333333333333333333333333333333333333333" /* client 1-RTT tx secret */
#define HS_C "1111111111111111111111111111111111111111111111111111111111111111" /* client Handshake tx secret */

static void set_gcm_ctx(ngtcp2_conn *conn) {
  ngtcp2_crypto_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.aead.native_handle = (void *)GNUTLS_CIPHER_AES_128_GCM;
  ctx.aead.max_overhead = 16;
  ctx.md.native_handle = (void *)GNUTLS_DIG_SHA256;
  ctx.hp.native_handle = (void *)GNUTLS_CIPHER_AES_128_CBC;
  ctx.max_encryption = 1ULL << 23;
  ctx.max_decryption_failure = 1ULL << 52;
  ngtcp2_conn_set_crypto_ctx(conn, &ctx);
}

/* installs a key derived from a fixed secret (hex), tx or rx, at level; the AES-128-GCM context must be set */
static void install_key(ngtcp2_conn *conn, ngtcp2_crypto_level level, int tx, const char *secret_hex) {
  uint8_t key[16], iv[12], hp[16], secret[64];
  size_t secretlen;
  parse_hex(secret_hex, secret, &secretlen);
  int rv = tx ? ngtcp2_crypto_derive_and_install_tx_key(conn, key, iv, hp, level, secret, secretlen)
              : ngtcp2_crypto_derive_and_install_rx_key(conn, key, iv, hp, level, secret, secretlen);
  if (rv != 0) {
    fprintf(stderr, "installing the %s key of level %d failed: %d\n", tx ? "tx" : "rx", (int)level, rv);
    exit(1);
  }
}

/* a client that wrote its first Initial reads the server's first datagram sin with Handshake keys of both directions
   installed by hand (the secrets HS and HS_C), pi as the caller set it */
static int client_read_first_flight(ngtcp2_conn *client, const ngtcp2_path *cpath, ngtcp2_pkt_info *pi,
                                    const uint8_t *sin, ngtcp2_ssize sinlen) {
  set_gcm_ctx(client);
  install_key(client, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 0, HS);
  install_key(client, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 1, HS_C);
  return ngtcp2_conn_read_pkt(client, cpath, pi, sin, (size_t)sinlen, T0);
}

/* the number of short-header packets in a datagram (long-header packets are skipped by their Length field) */
static size_t short_packets(const uint8_t *p, size_t n) {
  size_t off = 0;
  while (off < n) {
    if (!(p[off] & 0x80)) {
      return 1;
    }
    size_t q = off + 5;
    q += 1 + p[q];
    q += 1 + p[q];
    if (((p[off] >> 4) & 3) == 0) { /* v1 Initial: token */
      size_t vl = (size_t)1 << (p[q] >> 6);
      uint64_t tl = p[q] & 0x3f;
      for (size_t i = 1; i < vl; ++i) {
        tl = tl << 8 | p[q + i];
      }
      q += vl + tl;
    }
    size_t vl = (size_t)1 << (p[q] >> 6);
    uint64_t len = p[q] & 0x3f;
    for (size_t i = 1; i < vl; ++i) {
      len = len << 8 | p[q + i];
    }
    off = q + vl + len;
  }
  return 0;
}

static ngtcp2_conn *new_server(const char *dcid_hex, const char *scid_hex, const char *sscid_hex, const char *tok_hex) {
  ngtcp2_conn *conn;
  ngtcp2_settings s;
  ngtcp2_transport_params p;
  ngtcp2_callbacks cb = base_callbacks();
  ngtcp2_cid odcid = cid_of(dcid_hex), cscid = cid_of(scid_hex), sscid = cid_of(sscid_hex);
  ngtcp2_path path = server_path();
  static uint8_t tok[256];
  size_t toklen = 0;
  cb.recv_client_initial = server_recv_client_initial;
  if (server_recv_crypto) {
    cb.recv_crypto_data = server_recv_crypto;
  }
  default_settings(&s, &p);
  if (tok_hex) {
    /* a token the application validated: 0.12.1 then treats the path as validated */
    parse_hex(tok_hex, tok, &toklen);
    s.token.base = tok;
    s.token.len = toklen;
  }
  p.original_dcid = odcid;
  p.initial_scid = sscid;
  if (server_reset_token) {
    parse_hex(server_reset_token, p.stateless_reset_token, &toklen);
    p.stateless_reset_token_present = 1;
  }
  int rv = ngtcp2_conn_server_new(&conn, &cscid, &sscid, &path, NGTCP2_PROTO_VER_V1, &cb, &s, &p, NULL, NULL);
  return rv == 0 ? conn : NULL;
}

/* A server that read the client's first Initial, holds Handshake and 1-RTT tx keys (fixed secrets) and, if
   confirmed, was told the handshake completed; pre > 0: it then wrote pre datagrams of one 1-byte STREAM frame each
   on a unidirectional stream (a validated token, tok, lifts the amplification limit), counted in pre1rtt. */
static void server_1rtt_case(const char *name, const char *dcid_hex, const char *scid_hex, const char *sscid_hex,
                             int confirmed, size_t pre, int app, uint64_t code, size_t reasonlen, size_t destlen) {
  static uint8_t in[MAXBUF], buf[MAXBUF];
  ngtcp2_ssize inlen, n;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  const char *tok = pre ? "7b7b7b7b7b7b7b7b" : NULL;
  printf("%s kind=server1rtt ver=00000001 dcid=%s scid=%s sscid=%s hs=%s as=%s confirmed=%d tok=%s pre=%zu "
         "type=%s code=0x%" PRIx64 " reasonlen=%zu destlen=%zu",
         name, dcid_hex, scid_hex, sscid_hex, HS, AS_S, confirmed, tok ? tok : "-", pre, app ? "app" : "transport",
         code, reasonlen, destlen);
  client_token = tok;
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, dcid_hex, scid_hex, in, &inlen);
  client_token = NULL;
  if (!client) {
    printf(" out=ERR:client setup\n");
    return;
  }
  ngtcp2_conn_del(client);
  print_hex("in", in, (size_t)inlen);
  print_hex("tp", client_tp, (size_t)client_tplen);
  ngtcp2_conn *conn = new_server(dcid_hex, scid_hex, sscid_hex, tok);
  ngtcp2_path path = server_path();
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(conn, &path, &pi, in, (size_t)inlen, T0);
  if (rv == 0) {
    rv = ngtcp2_conn_decode_remote_transport_params(conn, client_tp, (size_t)client_tplen);
  }
  if (rv != 0) {
    printf(" out=ERR:%d(setup %s)\n", rv, ngtcp2_strerror(rv));
    ngtcp2_conn_del(conn);
    return;
  }
  set_gcm_ctx(conn);
  install_key(conn, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 1, HS);
  install_key(conn, NGTCP2_CRYPTO_LEVEL_APPLICATION, 1, AS_S);
  if (confirmed) {
    ngtcp2_conn_handshake_completed(conn);
  }
  if (pre) {
    int64_t sid;
    size_t sent = 0, dgrams = 0;
    uint8_t one = 0x61;
    if (ngtcp2_conn_open_uni_stream(conn, &sid, NULL) != 0) {
      printf(" out=ERR:open_uni_stream\n");
      return;
    }
    /* the first datagrams also carry the server's Initial/Handshake ACKs and HANDSHAKE_DONE: write until pre 1-RTT
       packets went out, each call one datagram */
    while (sent < pre) {
      ngtcp2_ssize ndatalen;
      n = ngtcp2_conn_write_stream(conn, NULL, &pi, buf, 1452, &ndatalen, NGTCP2_WRITE_STREAM_FLAG_NONE, sid, &one,
                                   1, T0);
      if (n <= 0 || ++dgrams > 4 * pre + 8) {
        printf(" out=ERR:%zd(pre write after %zu)\n", n, sent);
        return;
      }
      sent += short_packets(buf, (size_t)n);
    }
    printf(" pre1rtt=%zu", sent);
  }
  set_ccerr(&e, app, code, reasonlen);
  /* 0.12.1 asserts in the application close of a server that is confirmed but not yet in POST_HANDSHAKE (fixed in
     1.4.0, close-spec §7): the close runs in a child, and an abort is printed as such */
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    n = ngtcp2_conn_write_connection_close(conn, NULL, &pi, buf, destlen, &e, T0);
    print_out(n, buf);
    fflush(stdout);
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status)) {
    printf(" out=ABORT:signal%d\n", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
  }
  ngtcp2_conn_del(conn);
}

/* The server's side of the handshake up to its first datagram, as both client cases at Handshake level and later
   need it: it reads the client's first Initial (in) and the client's transport parameters, gets its Handshake tx
   key from HS, queues Initial CRYPTO 90 x 0x02 and Handshake CRYPTO 90 x 0x03 and writes one datagram into sin
   (*sinlen: its length, or write_pkt's error), leaving in *pi what write_pkt set. Returns 0, or the read or decode
   error. */
static int server_first_flight(ngtcp2_conn *server, const uint8_t *in, ngtcp2_ssize inlen, uint8_t *sin,
                               ngtcp2_ssize *sinlen, ngtcp2_pkt_info *pi) {
  static uint8_t sh[90];
  ngtcp2_path spath = server_path();
  pi->ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(server, &spath, pi, in, (size_t)inlen, T0);
  if (rv == 0) {
    rv = ngtcp2_conn_decode_remote_transport_params(server, client_tp, (size_t)client_tplen);
  }
  if (rv != 0) {
    return rv;
  }
  set_gcm_ctx(server);
  install_key(server, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 1, HS);
  memset(sh, 0x02, sizeof(sh));
  ngtcp2_conn_submit_crypto_data(server, NGTCP2_CRYPTO_LEVEL_INITIAL, sh, sizeof(sh));
  memset(sh, 0x03, sizeof(sh));
  ngtcp2_conn_submit_crypto_data(server, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, sh, sizeof(sh));
  *sinlen = ngtcp2_conn_write_pkt(server, NULL, pi, sin, 1452, T0);
  return 0;
}

/* A client that wrote its first Initial, then read the server's first datagram (server Initial CRYPTO 90 x 0x02,
   Handshake CRYPTO 90 x 0x03; captured as sin) with its Handshake keys installed (tx from HS_C, rx from HS): the
   close of a client at Handshake level. */
static void client_hs_case(const char *name, const char *dcid_hex, const char *scid_hex, const char *sscid_hex,
                           int app, uint64_t code, size_t reasonlen, size_t destlen) {
  static uint8_t in[MAXBUF], buf[MAXBUF], sin[MAXBUF];
  ngtcp2_ssize inlen, sinlen, n;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  printf("%s kind=clienths ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s type=%s code=0x%" PRIx64
         " reasonlen=%zu destlen=%zu",
         name, dcid_hex, scid_hex, sscid_hex, HS, HS_C, app ? "app" : "transport", code, reasonlen, destlen);
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, dcid_hex, scid_hex, in, &inlen);
  ngtcp2_conn *server = client ? new_server(dcid_hex, scid_hex, sscid_hex, NULL) : NULL;
  ngtcp2_path cpath = client_path();
  if (!server) {
    printf(" out=ERR:setup\n");
    return;
  }
  int rv = server_first_flight(server, in, inlen, sin, &sinlen, &pi);
  if (rv != 0) {
    printf(" out=ERR:%d(server setup)\n", rv);
    return;
  }
  ngtcp2_conn_del(server);
  if (sinlen <= 0) {
    printf(" out=ERR:%zd(server write)\n", sinlen);
    return;
  }
  print_hex("sin", sin, (size_t)sinlen);
  rv = client_read_first_flight(client, &cpath, &pi, sin, sinlen);
  if (rv != 0) {
    printf(" out=ERR:%d(client read %s)\n", rv, ngtcp2_strerror(rv));
    return;
  }
  set_ccerr(&e, app, code, reasonlen);
  n = ngtcp2_conn_write_connection_close(client, NULL, &pi, buf, destlen, &e, T0);
  print_out(n, buf);
  ngtcp2_conn_del(client);
}

/* The start of a v1 long header into out: the first byte, the version, the DCID and the SCID, each with its length;
   returns its length */
static size_t long_header(uint8_t *out, uint8_t first, const ngtcp2_cid *dcid, const ngtcp2_cid *scid) {
  size_t n = 0;
  out[n++] = first;
  out[n++] = 0, out[n++] = 0, out[n++] = 0, out[n++] = 1;
  out[n++] = (uint8_t)dcid->datalen;
  memcpy(out + n, dcid->data, dcid->datalen);
  n += dcid->datalen;
  out[n++] = (uint8_t)scid->datalen;
  memcpy(out + n, scid->data, scid->datalen);
  return n + scid->datalen;
}

/* A v1 Retry to the client's SCID dcid_hex from rscid_hex, its integrity tag over the client's first DCID odcid_hex
   (RFC 9001 §5.8), carrying the token tok_hex: written by ngtcp2_crypto_write_retry, or, where 0.12.1's writer
   refuses (assertions: an empty token, rscid equal to odcid), here as it does: the header (first byte 0xf0, the
   token), then the tag, AES-128-GCM of nothing with NGTCP2_RETRY_KEY_V1 and NGTCP2_RETRY_NONCE_V1 and the Retry
   Pseudo-Packet (the ODCID's length and bytes, then the header) as associated data. Returns its length, or -1. */
static ngtcp2_ssize retry_packet(uint8_t *out, size_t outlen, const char *dcid_hex, const char *rscid_hex,
                                 const char *odcid_hex, const char *tok_hex) {
  static uint8_t tok[256], pseudo[MAXBUF];
  size_t toklen, n = 0, taglen = 16;
  ngtcp2_cid dcid = cid_of(dcid_hex), rscid = cid_of(rscid_hex), odcid = cid_of(odcid_hex);
  gnutls_datum_t key = {(unsigned char *)NGTCP2_RETRY_KEY_V1, 16};
  gnutls_aead_cipher_hd_t aead;
  parse_hex(tok_hex, tok, &toklen);
  if (toklen && !ngtcp2_cid_eq(&rscid, &odcid)) {
    return ngtcp2_crypto_write_retry(out, outlen, NGTCP2_PROTO_VER_V1, &dcid, &rscid, &odcid, tok, toklen);
  }
  pseudo[n++] = (uint8_t)odcid.datalen;
  memcpy(pseudo + n, odcid.data, odcid.datalen);
  n += odcid.datalen;
  size_t start = n;
  n += long_header(pseudo + n, 0xf0, &dcid, &rscid);
  memcpy(pseudo + n, tok, toklen);
  n += toklen;
  if (n - start + taglen > outlen || gnutls_aead_cipher_init(&aead, GNUTLS_CIPHER_AES_128_GCM, &key) != 0 ||
      gnutls_aead_cipher_encrypt(aead, NGTCP2_RETRY_NONCE_V1, 12, pseudo, n, taglen, NULL, 0, out + n - start,
                                 &taglen) != 0) {
    return -1;
  }
  gnutls_aead_cipher_deinit(aead);
  memcpy(out, pseudo + start, n - start);
  return (ngtcp2_ssize)(n - start + taglen);
}

/* A client that wrote its first Initial, read a Retry (ngtcp2_crypto_write_retry: SCID rscid, token tok) and wrote
   its second Initial (captured as second), then closes. */
static void client_retry_case(const char *name, const char *dcid_hex, const char *scid_hex, const char *rscid_hex,
                              const char *tok_hex, int app, uint64_t code, size_t reasonlen, size_t destlen) {
  static uint8_t in[MAXBUF], buf[MAXBUF], retry[MAXBUF], second[MAXBUF];
  ngtcp2_ssize inlen, n;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  ngtcp2_path cpath = client_path();
  printf("%s kind=clientretry ver=00000001 dcid=%s scid=%s rscid=%s tok=%s shaping=on type=%s code=0x%" PRIx64
         " reasonlen=%zu destlen=%zu",
         name, dcid_hex, scid_hex, rscid_hex, tok_hex, app ? "app" : "transport", code, reasonlen, destlen);
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, dcid_hex, scid_hex, in, &inlen);
  if (!client) {
    printf(" out=ERR:client setup\n");
    return;
  }
  print_hex("first", in, (size_t)inlen);
  n = retry_packet(retry, sizeof(retry), scid_hex, rscid_hex, dcid_hex, tok_hex);
  if (n <= 0) {
    printf(" out=ERR:%zd(write_retry)\n", n);
    return;
  }
  print_hex("retry", retry, (size_t)n);
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(client, &cpath, &pi, retry, (size_t)n, T0);
  if (rv != 0) {
    printf(" out=ERR:%d(read retry %s)\n", rv, ngtcp2_strerror(rv));
    return;
  }
  n = ngtcp2_conn_write_pkt(client, NULL, &pi, second, 1500, T0);
  if (n <= 0) {
    printf(" out=ERR:%zd(second Initial)\n", n);
    return;
  }
  print_hex("second", second, (size_t)n);
  set_ccerr(&e, app, code, reasonlen);
  n = ngtcp2_conn_write_connection_close(client, NULL, &pi, buf, destlen, &e, T0);
  print_out(n, buf);
  ngtcp2_conn_del(client);
}

/* from writes a 1-RTT packet with one byte (0x61) on its stream sid at ts, printed as key=<hex>, which to reads.
   Returns 0, or nonzero after printing the error as the case's out. */
static int write_byte(ngtcp2_conn *from, ngtcp2_conn *to, const ngtcp2_path *topath, int64_t sid, const char *key,
                      ngtcp2_tstamp ts) {
  static uint8_t pkt[MAXBUF];
  static const uint8_t one = 0x61;
  ngtcp2_ssize ndatalen;
  ngtcp2_pkt_info pi;
  ngtcp2_ssize n =
    ngtcp2_conn_write_stream(from, NULL, &pi, pkt, 1452, &ndatalen, NGTCP2_WRITE_STREAM_FLAG_NONE, sid, &one, 1, ts);
  if (n <= 0) {
    printf(" out=ERR:%zd(write %s)\n", n, key);
    return 1;
  }
  print_hex(key, pkt, (size_t)n);
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(to, topath, &pi, pkt, (size_t)n, ts);
  if (rv != 0) {
    printf(" out=ERR:%d(read %s %s)\n", rv, key, ngtcp2_strerror(rv));
    return 1;
  }
  return 0;
}

/* from's datagrams at ts until it writes nothing more, each read by to at ts unless to is NULL: printed as
   <key>_dgram=<length> each and key=<their concatenation>. Returns 0, or nonzero after printing the error as the
   case's out (also if from wrote nothing). */
static int flush_to(ngtcp2_conn *from, ngtcp2_conn *to, const ngtcp2_path *topath, const char *key,
                    ngtcp2_tstamp ts) {
  static uint8_t dgrams[MAXBUF];
  size_t len = 0;
  ngtcp2_pkt_info pi;
  for (int i = 0; i < 8; ++i) {
    size_t room = sizeof(dgrams) - len;
    ngtcp2_ssize n = ngtcp2_conn_write_pkt(from, NULL, &pi, dgrams + len, room < 1452 ? room : 1452, ts);
    if (n < 0) {
      printf(" out=ERR:%zd(write %s)\n", n, key);
      return 1;
    }
    if (n == 0) {
      break;
    }
    printf(" %s_dgram=%zd", key, n);
    if (to) {
      pi.ecn = NGTCP2_ECN_NOT_ECT;
      int rv = ngtcp2_conn_read_pkt(to, topath, &pi, dgrams + len, (size_t)n, ts);
      if (rv != 0) {
        printf(" out=ERR:%d(read %s %s)\n", rv, key, ngtcp2_strerror(rv));
        return 1;
      }
    }
    len += (size_t)n;
  }
  if (len == 0) {
    printf(" out=ERR:no %s\n", key);
    return 1;
  }
  print_hex(key, dgrams, len);
  return 0;
}

/* A client whose handshake completed and its server, both with settings.no_pmtud (no path-MTU probe in the 1-RTT
   space), all at T0: the client wrote its first Initial (printed as first, its transport parameters as tp), read the
   server's first datagram (sin, as in client_hs_case) and the server's transport parameters (stp), installed
   Handshake and 1-RTT keys of both directions (tx HS_C / AS_C, rx HS / AS_S), was told the handshake completed,
   queued 36 bytes of 0x04 as Handshake CRYPTO data (its Finished) and wrote them (cfin). confirmed: the server then
   installed its rx keys and 1-RTT tx key, was told the handshake completed, read cfin and wrote its datagrams until
   it wrote nothing more (sdone: HANDSHAKE_DONE, ACKs), each read by the client. Returns 0 with *clientp and *serverp
   set, or nonzero after printing the error as the case's out. */
static int handshake_pair(const char *dcid_hex, const char *scid_hex, const char *sscid_hex, int confirmed,
                          ngtcp2_conn **clientp, ngtcp2_conn **serverp) {
  static uint8_t in[MAXBUF], sin[MAXBUF], stp[512], cfin[MAXBUF], fin[36];
  ngtcp2_ssize inlen, sinlen, stplen, cfinlen;
  ngtcp2_pkt_info pi;
  no_pmtud = 1;
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, dcid_hex, scid_hex, in, &inlen);
  ngtcp2_conn *server = client ? new_server(dcid_hex, scid_hex, sscid_hex, NULL) : NULL;
  no_pmtud = 0;
  ngtcp2_path spath = server_path(), cpath = client_path();
  if (!server) {
    printf(" out=ERR:setup\n");
    return 1;
  }
  print_hex("first", in, (size_t)inlen);
  print_hex("tp", client_tp, (size_t)client_tplen);
  int rv = server_first_flight(server, in, inlen, sin, &sinlen, &pi);
  if (rv != 0) {
    printf(" out=ERR:%d(server setup)\n", rv);
    return 1;
  }
  stplen = ngtcp2_conn_encode_local_transport_params(server, stp, sizeof(stp));
  if (sinlen <= 0 || stplen <= 0) {
    printf(" out=ERR:%zd/%zd(server write)\n", sinlen, stplen);
    return 1;
  }
  print_hex("sin", sin, (size_t)sinlen);
  print_hex("stp", stp, (size_t)stplen);
  pi.ecn = NGTCP2_ECN_NOT_ECT; /* write_pkt set it (ECT(0) for a padded datagram): read as not ECN-marked */
  rv = client_read_first_flight(client, &cpath, &pi, sin, sinlen);
  if (rv == 0) {
    rv = ngtcp2_conn_decode_remote_transport_params(client, stp, (size_t)stplen);
  }
  if (rv != 0) {
    printf(" out=ERR:%d(client read %s)\n", rv, ngtcp2_strerror(rv));
    return 1;
  }
  install_key(client, NGTCP2_CRYPTO_LEVEL_APPLICATION, 0, AS_S);
  install_key(client, NGTCP2_CRYPTO_LEVEL_APPLICATION, 1, AS_C);
  ngtcp2_conn_handshake_completed(client);
  memset(fin, 0x04, sizeof(fin));
  ngtcp2_conn_submit_crypto_data(client, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, fin, sizeof(fin));
  cfinlen = ngtcp2_conn_write_pkt(client, NULL, &pi, cfin, 1452, T0);
  if (cfinlen <= 0) {
    printf(" out=ERR:%zd(client Finished)\n", cfinlen);
    return 1;
  }
  print_hex("cfin", cfin, (size_t)cfinlen);
  if (confirmed) {
    install_key(server, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 0, HS_C);
    install_key(server, NGTCP2_CRYPTO_LEVEL_APPLICATION, 0, AS_C);
    install_key(server, NGTCP2_CRYPTO_LEVEL_APPLICATION, 1, AS_S);
    /* told before it reads the client's Finished, as from its TLS callback: the read moves it to POST_HANDSHAKE */
    ngtcp2_conn_handshake_completed(server);
    pi.ecn = NGTCP2_ECN_NOT_ECT;
    rv = ngtcp2_conn_read_pkt(server, &spath, &pi, cfin, (size_t)cfinlen, T0);
    if (rv != 0) {
      printf(" out=ERR:%d(server read Finished %s)\n", rv, ngtcp2_strerror(rv));
      return 1;
    }
    if (flush_to(server, client, &cpath, "sdone", T0) != 0) {
      return 1;
    }
  }
  *clientp = client;
  *serverp = server;
  return 0;
}

/* A client whose handshake completed, with its server (handshake_pair), closes; or, key_update, the pair goes on
   with a key update (see key_update and ku_steps) and then one of them closes. */
static void client_1rtt_case(const char *name, const char *dcid_hex, const char *scid_hex, const char *sscid_hex,
                             int confirmed, int app, uint64_t code, size_t reasonlen, size_t destlen) {
  static uint8_t buf[MAXBUF];
  ngtcp2_ssize n;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  ngtcp2_conn *client, *server;
  ngtcp2_path spath = server_path(), cpath = client_path();
  printf("%s kind=%s ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s as=%s asc=%s confirmed=%d type=%s "
         "code=0x%" PRIx64 " reasonlen=%zu destlen=%zu",
         name, key_update ? "keyupdate" : "client1rtt", dcid_hex, scid_hex, sscid_hex, HS, HS_C, AS_S, AS_C,
         confirmed, app ? "app" : "transport", code, reasonlen, destlen);
  if (key_update) {
    printf(" ku=%s kut=%" PRIu64, key_update == 1 ? "server" : "client", (uint64_t)KU_DT);
    if (ku_steps) {
      printf(" kudt=%" PRIu64, (uint64_t)KU_ACK_DT);
    }
    if (ku_steps > 1) {
      printf(" ku2dt=%" PRIu64, (uint64_t)KU2_DT);
    }
  }
  if (handshake_pair(dcid_hex, scid_hex, sscid_hex, confirmed, &client, &server) != 0) {
    return;
  }
  if (key_update) {
    /* the key update (RFC 9001 §6): the initiator updates its keys KU_DT after the handshake and sends a 1-RTT
       packet with them (key phase 1: a 1-byte STREAM frame on a new unidirectional stream, kupkt), which the other
       endpoint reads; that endpoint then writes its close, at the same time, or first goes on as ku_steps says */
    ngtcp2_conn *init = key_update == 1 ? server : client, *peer = key_update == 1 ? client : server;
    ngtcp2_path ipath = key_update == 1 ? spath : cpath, ppath = key_update == 1 ? cpath : spath;
    ngtcp2_tstamp ts = T0 + KU_DT;
    int64_t sid;
    int rv = ngtcp2_conn_initiate_key_update(init, ts);
    if (rv != 0) {
      printf(" out=ERR:%d(initiate_key_update %s)\n", rv, ngtcp2_strerror(rv));
      return;
    }
    rv = ngtcp2_conn_open_uni_stream(init, &sid, NULL);
    if (rv != 0) {
      printf(" out=ERR:%d(open_uni_stream)\n", rv);
      return;
    }
    if (write_byte(init, peer, &ppath, sid, "kupkt", ts) != 0) {
      return;
    }
    if (ku_steps) {
      /* the peer's answer in the new key phase, KU_ACK_DT later (its ACK of kupkt is then due, RFC 9000 §13.2.1) */
      ts += KU_ACK_DT;
      if (flush_to(peer, ku_steps > 1 ? init : NULL, &ipath, "kuack", ts) != 0) {
        return;
      }
    }
    if (ku_steps > 1) {
      /* 0.12.1 derives the keys of the next update only when it reads a packet at least a PTO after its update
         was confirmed (which the read of kuack did), and initiates one only 3 PTOs after: the initiator sends one
         more byte on the same stream (kumore, key phase 1), whose ACK from the peer (kuack2) it reads, each
         KU_ACK_DT after the previous; then, KU2_DT later, the second update: its packet (ku2pkt, one more byte) has
         key phase 0, and the peer reads it before it closes */
      ts += KU_ACK_DT;
      if (write_byte(init, peer, &ppath, sid, "kumore", ts) != 0) {
        return;
      }
      ts += KU_ACK_DT;
      if (flush_to(peer, init, &ipath, "kuack2", ts) != 0) {
        return;
      }
      ts += KU2_DT;
      rv = ngtcp2_conn_initiate_key_update(init, ts);
      if (rv != 0) {
        printf(" out=ERR:%d(second initiate_key_update %s)\n", rv, ngtcp2_strerror(rv));
        return;
      }
      if (write_byte(init, peer, &ppath, sid, "ku2pkt", ts) != 0) {
        return;
      }
    }
    ngtcp2_conn_del(init);
    set_ccerr(&e, app, code, reasonlen);
    n = ngtcp2_conn_write_connection_close(peer, NULL, &pi, buf, destlen, &e, ts);
    print_out(n, buf);
    ngtcp2_conn_del(peer);
    return;
  }
  ngtcp2_conn_del(server);
  set_ccerr(&e, app, code, reasonlen);
  n = ngtcp2_conn_write_connection_close(client, NULL, &pi, buf, destlen, &e, T0);
  print_out(n, buf);
  ngtcp2_conn_del(client);
}


/* ---- packets sealed by hand: the peer's in the hostile and rtt cases ---- */

/* the packet protection keys of a secret (RFC 9001 §5.1; AES-128-GCM with SHA-256, as install_key's) */
typedef struct {
  uint8_t key[16], iv[12], hp[16];
} pp_keys;

static void keys_of(pp_keys *k, const uint8_t *secret, size_t secretlen) {
  ngtcp2_crypto_md md;
  ngtcp2_crypto_md_init(&md, (void *)GNUTLS_DIG_SHA256);
  if (ngtcp2_crypto_hkdf_expand_label(k->key, 16, &md, secret, secretlen, (const uint8_t *)"quic key", 8) != 0 ||
      ngtcp2_crypto_hkdf_expand_label(k->iv, 12, &md, secret, secretlen, (const uint8_t *)"quic iv", 7) != 0 ||
      ngtcp2_crypto_hkdf_expand_label(k->hp, 16, &md, secret, secretlen, (const uint8_t *)"quic hp", 7) != 0) {
    fprintf(stderr, "deriving packet protection keys failed\n");
    exit(1);
  }
}

/* the same from a secret in hex */
static void keys_of_hex(pp_keys *k, const char *secret_hex) {
  uint8_t secret[64];
  size_t secretlen;
  parse_hex(secret_hex, secret, &secretlen);
  keys_of(k, secret, secretlen);
}

/* the v1 Initial keys of the client (server 0) or the server (1) for the client's first DCID (RFC 9001 §5.2) */
static void initial_keys(pp_keys *k, const char *odcid_hex, int server) {
  static const uint8_t salt[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                   0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
  ngtcp2_crypto_md md;
  uint8_t initial[32], secret[32];
  ngtcp2_cid odcid = cid_of(odcid_hex);
  ngtcp2_crypto_md_init(&md, (void *)GNUTLS_DIG_SHA256);
  if (ngtcp2_crypto_hkdf_extract(initial, &md, odcid.data, odcid.datalen, salt, sizeof(salt)) != 0 ||
      ngtcp2_crypto_hkdf_expand_label(secret, sizeof(secret), &md, initial, sizeof(initial),
                                      (const uint8_t *)(server ? "server in" : "client in"), 9) != 0) {
    fprintf(stderr, "deriving the Initial secret failed\n");
    exit(1);
  }
  keys_of(k, secret, sizeof(secret));
}

/* Seals one v1 packet into out with the keys k (RFC 9001 §5.3, §5.4; gnutls) and returns its length: type 0 an
   Initial (no token), 2 a Handshake packet (long headers from scid, their Length a 2-byte varint), -1 a 1-RTT packet
   (short header, key phase 0); the reserved bits as given, 0..3; to dcid, with the packet number pn in pnlen bytes
   (1 or 2). The payload, the plaintext frames, is followed by PADDING up to a packet of padto bytes (0: none); it
   must leave room for the header protection sample (pnlen + its length at least 4). Unlike ngtcp2's own writer it
   seals whatever the first byte says, reserved bits included. */
static size_t seal(uint8_t *out, int type, int reserved, const ngtcp2_cid *dcid, const ngtcp2_cid *scid, size_t pnlen,
                   uint64_t pn, const uint8_t *payload, size_t payloadlen, size_t padto, const pp_keys *k) {
  uint8_t plain[MAXBUF], nonce[12], mask[16], zero_iv[16] = {0};
  gnutls_datum_t kd = {(unsigned char *)k->key, 16}, hd = {(unsigned char *)k->hp, 16}, ivd = {zero_iv, 16};
  gnutls_aead_cipher_hd_t aead;
  gnutls_cipher_hd_t ecb;
  size_t n = 0, len = payloadlen, lenlen = type < 0 ? 0 : 2, pn_offset, ctlen;
  if (type < 0) {
    out[n++] = (uint8_t)(0x40 | reserved << 3 | (pnlen - 1));
    memcpy(out + n, dcid->data, dcid->datalen);
    n += dcid->datalen;
  } else {
    n = long_header(out, (uint8_t)(0xc0 | type << 4 | reserved << 2 | (pnlen - 1)), dcid, scid);
    if (type == 0) {
      out[n++] = 0; /* token length */
    }
  }
  if (n + lenlen + pnlen + len + 16 < padto) {
    len = padto - (n + lenlen + pnlen + 16);
  }
  if (type >= 0) {
    out[n++] = (uint8_t)(0x40 | (pnlen + len + 16) >> 8); /* Length: packet number, payload, tag */
    out[n++] = (uint8_t)(pnlen + len + 16);
  }
  pn_offset = n;
  for (size_t i = 0; i < pnlen; ++i) {
    out[n++] = (uint8_t)(pn >> (8 * (pnlen - 1 - i)));
  }
  memcpy(plain, payload, payloadlen);
  memset(plain + payloadlen, 0, len - payloadlen);
  memcpy(nonce, k->iv, sizeof(nonce));
  for (size_t i = 0; i < 8; ++i) {
    nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
  }
  ctlen = len + 16;
  if (gnutls_aead_cipher_init(&aead, GNUTLS_CIPHER_AES_128_GCM, &kd) != 0 ||
      gnutls_aead_cipher_encrypt(aead, nonce, sizeof(nonce), out, n, 16, plain, len, out + n, &ctlen) != 0) {
    fprintf(stderr, "sealing failed\n");
    exit(1);
  }
  gnutls_aead_cipher_deinit(aead);
  /* header protection: AES-ECB of the sample, one block of CBC with a zero IV as ngtcp2_crypto_gnutls does it */
  if (gnutls_cipher_init(&ecb, GNUTLS_CIPHER_AES_128_CBC, &hd, &ivd) != 0 ||
      gnutls_cipher_encrypt2(ecb, out + pn_offset + 4, 16, mask, sizeof(mask)) != 0) {
    fprintf(stderr, "header protection failed\n");
    exit(1);
  }
  gnutls_cipher_deinit(ecb);
  out[0] ^= mask[0] & (type < 0 ? 0x1f : 0x0f);
  for (size_t i = 0; i < pnlen; ++i) {
    out[pn_offset + i] ^= mask[1 + i];
  }
  return n + ctlen;
}

/* ---- the peer's erroneous or hostile packets, sealed by hand, and the close after them ---- */

/* What conn made of the peer's datagram bad (printed as bad): read_pkt's rv; the ccerr an application sets from rv
   (ngtcp2_connection_close_error_set_transport_error_liberr: ccerr=<code>, NO_ERROR for rv 0); when draining, the
   close error it received (peer=<type>:<code>:<frame type>:<reason hex>); then out, the close it writes with that
   ccerr (empty when it writes nothing, as a draining endpoint must not send, RFC 9000 §10.2.2). */
static void read_bad_then_close(ngtcp2_conn *conn, const ngtcp2_path *path, const uint8_t *bad, size_t badlen) {
  static uint8_t buf[MAXBUF];
  ngtcp2_pkt_info pi;
  ngtcp2_connection_close_error e;
  print_hex("bad", bad, badlen);
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(conn, path, &pi, bad, badlen, T0);
  printf(" rv=%d(%s)", rv, rv ? ngtcp2_strerror(rv) : "ok");
  ngtcp2_connection_close_error_set_transport_error_liberr(&e, rv, NULL, 0);
  printf(" ccerr=0x%" PRIx64, e.error_code);
  if (e.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT_VERSION_NEGOTIATION) {
    printf(" cctype=versionnegotiation");
  }
  if (ngtcp2_conn_is_in_draining_period(conn)) {
    ngtcp2_connection_close_error peer;
    ngtcp2_conn_get_connection_close_error(conn, &peer);
    printf(" peer=%s:0x%" PRIx64 ":0x%" PRIx64 ":",
           peer.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION ? "app" : "transport", peer.error_code,
           peer.frame_type);
    for (size_t i = 0; i < peer.reasonlen; ++i) {
      printf("%02x", peer.reason[i]);
    }
  }
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn, NULL, &pi, buf, 1500, &e, T0);
  print_out(n, buf);
}

/* Prints the header of a hostile1rtt case, its keys up to to= followed by keys (formatted), and sets up its confirmed
   pair (handshake_pair, printed with its keys): returns the reader, the server (to_server) or the client, and leaves
   the other endpoint in *peer; NULL once handshake_pair printed its error. All at T0. */
static ngtcp2_conn *hostile_pair(const char *name, int to_server, const char *keys, ngtcp2_conn **peer) {
  ngtcp2_conn *client, *server;
  printf("%s kind=hostile1rtt ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s as=%s asc=%s confirmed=1 to=%s%s",
         name, D8, S8, SS8, HS, HS_C, AS_S, AS_C, to_server ? "server" : "client", keys);
  if (handshake_pair(D8, S8, SS8, 1, &client, &server) != 0) {
    return NULL;
  }
  *peer = to_server ? client : server;
  return to_server ? server : client;
}

/* The peer's k-th hand-sealed 1-RTT packet (0 the first) to the reader of a hostile1rtt pair, carrying frames (hex)
   with the reserved bits as given: the client's (to_server: packet number k, its first 1-RTT packets, sealed with
   AS_C) or the server's (packet number 1 + k, after its HANDSHAKE_DONE packet, sealed with AS_S). PADDING goes before
   the frames, up to the 3 bytes that leave room for the header protection sample. Returns its length. */
static size_t seal_peer_1rtt(uint8_t *out, int to_server, const char *frames, int reserved, uint64_t k) {
  static uint8_t payload[MAXBUF];
  size_t payloadlen;
  size_t pad = strlen(frames) < 6 ? 3 - strlen(frames) / 2 : 0;
  pp_keys keys;
  ngtcp2_cid dcid = cid_of(to_server ? SS8 : S8);
  memset(payload, 0, pad);
  parse_hex(frames, payload + pad, &payloadlen);
  keys_of_hex(&keys, to_server ? AS_C : AS_S);
  return seal(out, -1, reserved, &dcid, NULL, 1, (to_server ? 0 : 1) + k, payload, pad + payloadlen, 0, &keys);
}

/* A confirmed client and server (hostile_pair); then the peer's hand-sealed 1-RTT packet carrying frames (hex), with
   the reserved bits as given (seal_peer_1rtt, its first), is read by the server (to_server) or by the client, which
   then closes (read_bad_then_close). */
static void hostile_1rtt_case(const char *name, int to_server, const char *frames, int reserved) {
  static uint8_t bad[MAXBUF];
  char keys[256];
  ngtcp2_conn *peer;
  ngtcp2_path path = to_server ? server_path() : client_path();
  snprintf(keys, sizeof(keys), " frames=%s reserved=%d", frames, reserved);
  ngtcp2_conn *reader = hostile_pair(name, to_server, keys, &peer);
  if (!reader) {
    return;
  }
  size_t badlen = seal_peer_1rtt(bad, to_server, frames, reserved, 0);
  ngtcp2_conn_del(peer);
  read_bad_then_close(reader, &path, bad, badlen);
  ngtcp2_conn_del(reader);
}

/* The server's first Initial (packet number 0, from SS8 to S8, the server's Initial keys of D8) carrying frames (hex),
   hand-sealed; returns its length */
static size_t seal_server_initial(uint8_t *out, const char *frames) {
  static uint8_t payload[MAXBUF];
  size_t payloadlen;
  ngtcp2_cid s8 = cid_of(S8), ss8 = cid_of(SS8);
  pp_keys k;
  parse_hex(frames, payload, &payloadlen);
  initial_keys(&k, D8, 1);
  return seal(out, 0, 0, &s8, &ss8, 1, 0, payload, payloadlen, 0, &k);
}

/* During the handshake, at Initial level (kind=hostileinitial): to_server, a server that read the client's first
   Initial (in) reads the client's next Initial (packet number 1, to the first DCID, padded to 1200 bytes) carrying
   frames; or, first_initial, that Initial is the client's first one itself (packet number 0, in is not printed); else
   a client that wrote its first Initial reads the server's first Initial (packet number 0, from SS8) carrying frames.
   The reader then closes (read_bad_then_close). */
/* A server that read the client's first Initial (printed as in) unless first_initial, whose client (new_client, then
   deleted) wrote it; NULL after printing the error as the case's out */
static ngtcp2_conn *initial_server(int first_initial) {
  static uint8_t in[MAXBUF];
  ngtcp2_ssize inlen;
  ngtcp2_path spath = server_path();
  ngtcp2_pkt_info pi;
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
  if (!client) {
    printf(" out=ERR:client setup\n");
    return NULL;
  }
  ngtcp2_conn_del(client);
  ngtcp2_conn *server = new_server(D8, S8, SS8, NULL);
  if (!first_initial) {
    print_hex("in", in, (size_t)inlen);
    pi.ecn = NGTCP2_ECN_NOT_ECT;
    int rv = ngtcp2_conn_read_pkt(server, &spath, &pi, in, (size_t)inlen, T0);
    if (rv != 0) {
      printf(" out=ERR:%d(read_pkt %s)\n", rv, ngtcp2_strerror(rv));
      ngtcp2_conn_del(server);
      return NULL;
    }
  }
  return server;
}

static void hostile_initial_case(const char *name, int to_server, int first_initial, const char *frames) {
  static uint8_t in[MAXBUF], payload[MAXBUF], bad[MAXBUF];
  ngtcp2_ssize inlen;
  size_t payloadlen, badlen;
  ngtcp2_path spath = server_path(), cpath = client_path();
  ngtcp2_cid d8 = cid_of(D8), s8 = cid_of(S8);
  pp_keys k;
  printf("%s kind=hostileinitial ver=00000001 dcid=%s scid=%s sscid=%s to=%s frames=%s", name, D8, S8, SS8,
         to_server ? "server" : "client", frames);
  if (!to_server) {
    ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
    if (!client) {
      printf(" out=ERR:client setup\n");
      return;
    }
    print_hex("first", in, (size_t)inlen);
    badlen = seal_server_initial(bad, frames);
    read_bad_then_close(client, &cpath, bad, badlen);
    ngtcp2_conn_del(client);
    return;
  }
  ngtcp2_conn *server = initial_server(first_initial);
  if (!server) {
    return;
  }
  parse_hex(frames, payload, &payloadlen);
  initial_keys(&k, D8, 0);
  badlen = seal(bad, 0, 0, &d8, &s8, 1, first_initial ? 0 : 1, payload, payloadlen, 1200, &k);
  read_bad_then_close(server, &spath, bad, badlen);
  ngtcp2_conn_del(server);
}

/* ---- what the receive path makes of stateless resets, Version Negotiation, Retry, and datagrams once closed ---- */

/* conn reads the datagram dg at T0 before the case's last one: printed as key=<hex>, and what ngtcp2_conn_read_pkt
   returned as key_rv */
static void read_step(ngtcp2_conn *conn, const ngtcp2_path *path, const char *key, const uint8_t *dg, size_t len) {
  ngtcp2_pkt_info pi;
  print_hex(key, dg, len);
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(conn, path, &pi, dg, len, T0);
  printf(" %s_rv=%d(%s)", key, rv, rv ? ngtcp2_strerror(rv) : "ok");
}

#define PEER_CLOSE "1c0a0603616263" /* the peer's CONNECTION_CLOSE (closed_case, coalesced_case) */
#define RESET_TOKEN "5e5d5c5b5a595857565554535251504f" /* the server's stateless_reset_token (sr-c-*) */
#define NCID "c1c2c3c4c5c6c7c8"                        /* the connection ID the client issues (sr-s-*) */
#define NCID_TOKEN "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"  /* its stateless reset token */

/* A stateless reset (RFC 9000 §10.3) to the reader of a confirmed pair (hostile_pair), len bytes that end in a token:
   the client (to_server 0), whose server's transport parameters carry stateless_reset_token RESET_TOKEN, or the server,
   which first read the client's first 1-RTT packet (read1, seal_peer_1rtt) carrying NEW_CONNECTION_ID: sequence 1,
   NCID and NCID_TOKEN, with Retire Prior To 1 (the server then sends to NCID) or, for token 2, 0. token: 0 the token
   of the connection ID the reader sends to; 1 the same with its last bit inverted; 2 that of a connection ID issued but
   not in use (the client: the one of the server's NEW_CONNECTION_ID, in handshake_pair's sdone). form: 0 a short
   header whose bytes before the token are arbitrary (byte i is 0x3c + 29 i, the first one with the QUIC bit set and
   the header form bit clear), so that no connection ID names it; 1 a long header, a v1 Handshake packet to the
   reader's connection ID from the peer's, its Length covering the datagram; 2 the same with a Length (16383) past the
   end. Printed: form, token, bad (the datagram) and what read_bad_then_close prints. */
static void reset_case(const char *name, int to_server, int form, int token, size_t len) {
  static uint8_t bad[MAXBUF], ncid_pkt[MAXBUF], tok[NGTCP2_STATELESS_RESET_TOKENLEN];
  static const char *forms[] = {"short", "long", "longtrunc"}, *tokens[] = {"inuse", "flipped", "unused"};
  char keys[64];
  size_t toklen;
  ngtcp2_conn *peer;
  ngtcp2_path path = to_server ? server_path() : client_path();
  snprintf(keys, sizeof(keys), " form=%s token=%s", forms[form], tokens[token]);
  server_reset_token = to_server ? NULL : RESET_TOKEN;
  ngtcp2_conn *reader = hostile_pair(name, to_server, keys, &peer);
  server_reset_token = NULL;
  if (!reader) {
    return;
  }
  ngtcp2_conn_del(peer);
  parse_hex(to_server ? NCID_TOKEN : RESET_TOKEN, tok, &toklen);
  if (token == 2 && !to_server) {
    memcpy(tok, server_issued_token, sizeof(tok));
  }
  if (to_server) {
    char frames[128];
    snprintf(frames, sizeof(frames), "1801%s08%s%s", token == 2 ? "00" : "01", NCID, NCID_TOKEN);
    size_t n = seal_peer_1rtt(ncid_pkt, 1, frames, 0, 0);
    read_step(reader, &path, "read1", ncid_pkt, n);
  }
  for (size_t i = 0; i < len; ++i) {
    bad[i] = (uint8_t)(0x3c + 29 * i);
  }
  if (form == 0) {
    bad[0] = (uint8_t)(0x40 | (bad[0] & 0x3f));
  } else {
    /* long header: form, QUIC bit, Handshake; version 1; DCID, SCID; Length (2 bytes) */
    ngtcp2_cid dcid = cid_of(to_server ? SS8 : S8), scid = cid_of(to_server ? S8 : SS8);
    size_t n = long_header(bad, 0xe0, &dcid, &scid);
    size_t rest = form == 1 ? len - (n + 2) : 0x3fff;
    bad[n++] = (uint8_t)(0x40 | rest >> 8);
    bad[n++] = (uint8_t)rest;
  }
  memcpy(bad + len - sizeof(tok), tok, sizeof(tok));
  if (token == 1) {
    bad[len - 1] ^= 0x01;
  }
  read_bad_then_close(reader, &path, bad, len);
  ngtcp2_conn_del(reader);
}

/* The reader of a confirmed pair (hostile_pair) once closed: closing (draining 0), having written its own close
   (transport NO_ERROR, no reason; printed as close1), or draining, having read the peer's CONNECTION_CLOSE (read1: 0x1c
   PROTOCOL_VIOLATION with frame type 6 and reason "abc", seal_peer_1rtt, the peer's first packet); then it reads the
   peer's next datagram (what: 0 an authentic 1-RTT packet carrying PING; 1 one carrying the CONNECTION_CLOSE above;
   2 an empty datagram; 3 50 bytes of 0x5a, a short header that names no connection) and closes
   (read_bad_then_close). Printed: what (ping|close|empty|garbage). */
static void closed_case(const char *name, int to_server, int draining, int what) {
  static uint8_t buf[MAXBUF], bad[MAXBUF];
  static const char *whats[] = {"ping", "close", "empty", "garbage"};
  static const char *peer_close = PEER_CLOSE;
  char keys[64];
  size_t badlen = 0;
  ngtcp2_conn *peer;
  ngtcp2_path path = to_server ? server_path() : client_path();
  snprintf(keys, sizeof(keys), " what=%s", whats[what]);
  ngtcp2_conn *reader = hostile_pair(name, to_server, keys, &peer);
  if (!reader) {
    return;
  }
  ngtcp2_conn_del(peer);
  if (draining) {
    size_t n = seal_peer_1rtt(buf, to_server, peer_close, 0, 0);
    read_step(reader, &path, "read1", buf, n);
  } else {
    ngtcp2_connection_close_error e;
    ngtcp2_pkt_info pi;
    set_ccerr(&e, 0, 0, 0);
    ngtcp2_ssize n = ngtcp2_conn_write_connection_close(reader, NULL, &pi, buf, 1500, &e, T0);
    if (n <= 0) {
      printf(" out=ERR:%zd(close1)\n", n);
      ngtcp2_conn_del(reader);
      return;
    }
    print_hex("close1", buf, (size_t)n);
  }
  if (what < 2) {
    badlen = seal_peer_1rtt(bad, to_server, what == 0 ? "01" : peer_close, 0, draining ? 1 : 0);
  } else if (what == 3) {
    badlen = 50;
    memset(bad, 0x5a, badlen);
  }
  read_bad_then_close(reader, &path, bad, badlen);
  ngtcp2_conn_del(reader);
}

#define RSCID "a1a2a3a4a5a6a7a8"                           /* the SCID of the first Retry */
#define RTOK "7474747474747474747474747474747474747474"    /* its token */

/* A client that wrote its first Initial (kind=hostileinitial, to=client; first) reads, as before says, nothing (0),
   the server's first Initial carrying an ACK of it (1: read1, seal_server_initial) or a Retry (2: read1, from RSCID
   with RTOK, retry_packet), after which it writes its second Initial (second); then it reads bad, a Version
   Negotiation or Retry packet made by the caller, and closes (read_bad_then_close). */
static void early_case(const char *name, int before, const uint8_t *bad, size_t badlen) {
  static uint8_t in[MAXBUF], dg[MAXBUF];
  ngtcp2_ssize inlen;
  ngtcp2_path path = client_path();
  ngtcp2_pkt_info pi;
  printf("%s kind=hostileinitial ver=00000001 dcid=%s scid=%s sscid=%s to=client", name, D8, S8, SS8);
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
  if (!client) {
    printf(" out=ERR:client setup\n");
    return;
  }
  print_hex("first", in, (size_t)inlen);
  if (before == 1) {
    read_step(client, &path, "read1", dg, seal_server_initial(dg, "0200000000"));
  } else if (before == 2) {
    ngtcp2_ssize n = retry_packet(dg, sizeof(dg), S8, RSCID, D8, RTOK);
    read_step(client, &path, "read1", dg, (size_t)n);
    n = ngtcp2_conn_write_pkt(client, NULL, &pi, dg, 1500, T0);
    if (n <= 0) {
      printf(" out=ERR:%zd(second Initial)\n", n);
      ngtcp2_conn_del(client);
      return;
    }
    print_hex("second", dg, (size_t)n);
  }
  read_bad_then_close(client, &path, bad, badlen);
  ngtcp2_conn_del(client);
}

/* early_case with a Version Negotiation packet (ngtcp2_pkt_write_version_negotiation, unused bits 0x3a) to dcid_hex
   from scid_hex listing the n versions, its last cut bytes cut off */
static void vn_case(const char *name, int before, const char *dcid_hex, const char *scid_hex,
                    const uint32_t *versions, size_t n, size_t cut) {
  static uint8_t vn[MAXBUF];
  ngtcp2_cid dcid = cid_of(dcid_hex), scid = cid_of(scid_hex);
  ngtcp2_ssize len = ngtcp2_pkt_write_version_negotiation(vn, sizeof(vn), 0x3a, dcid.data, dcid.datalen, scid.data,
                                                          scid.datalen, versions, n);
  early_case(name, before, vn, (size_t)len - cut);
}

/* early_case with a Retry (retry_packet) to dcid_hex (the client's SCID S8, or another) from rscid_hex, its integrity
   tag over odcid_hex (the client's first DCID D8, or another), carrying tok_hex; flip: the last bit of its integrity
   tag inverted */
static void retry_case(const char *name, int before, const char *dcid_hex, const char *rscid_hex,
                       const char *odcid_hex, const char *tok_hex, int flip) {
  static uint8_t retry[MAXBUF];
  ngtcp2_ssize len = retry_packet(retry, sizeof(retry), dcid_hex, rscid_hex, odcid_hex, tok_hex);
  if (len <= 0) {
    printf("%s kind=hostileinitial out=ERR:%zd(retry_packet)\n", name, len);
    return;
  }
  if (flip) {
    retry[len - 1] ^= 0x01;
  }
  early_case(name, before, retry, (size_t)len);
}

/* ---- coalesced packets (RFC 9000 §12.2) ---- */

/* A server that read the client's first Initial (initial_server) reads a datagram of the client's packets coalesced
   (RFC 9000 §12.2), sealed here, co: 0 (dcid) an Initial (packet number 1) carrying PING, then one (2) to another
   DCID carrying PEER_CLOSE, which it SHOULD ignore; 1 (auth) an Initial carrying PEER_CLOSE, then one whose last byte
   is inverted (its authentication fails); 2 (levels) an Initial carrying PING, then a Handshake packet (HS_C, number
   0) and a 1-RTT packet (AS_C, number 0) carrying PING, whose keys it does not have yet. The Initial packets fill the
   datagram to 1200 bytes. Then it closes (read_bad_then_close). Printed: co (dcid|auth|levels). */
static void coalesced_case(const char *name, int co) {
  static const char *cos[] = {"dcid", "auth", "levels"};
  static const uint8_t ping[] = {0x01, 0x00, 0x00};
  static uint8_t bad[MAXBUF], rest[MAXBUF], peer_close[16];
  size_t closelen, restlen = 0, n;
  ngtcp2_path path = server_path();
  ngtcp2_cid d8 = cid_of(D8), s8 = cid_of(S8), ss8 = cid_of(SS8), other = cid_of("0102030405060709");
  pp_keys k, hk;
  printf("%s kind=hostileinitial ver=00000001 dcid=%s scid=%s sscid=%s to=server co=%s", name, D8, S8, SS8, cos[co]);
  ngtcp2_conn *server = initial_server(0);
  if (!server) {
    return;
  }
  parse_hex(PEER_CLOSE, peer_close, &closelen);
  initial_keys(&k, D8, 0);
  if (co == 2) {
    keys_of_hex(&hk, HS_C);
    restlen = seal(rest, 2, 0, &ss8, &s8, 1, 0, ping, sizeof(ping), 0, &hk);
    keys_of_hex(&hk, AS_C);
    restlen += seal(rest + restlen, -1, 0, &ss8, NULL, 1, 0, ping, sizeof(ping), 0, &hk);
    n = seal(bad, 0, 0, &d8, &s8, 1, 1, ping, sizeof(ping), 1200 - restlen, &k);
  } else {
    n = co == 0 ? seal(bad, 0, 0, &d8, &s8, 1, 1, ping, sizeof(ping), 0, &k)
                : seal(bad, 0, 0, &d8, &s8, 1, 1, peer_close, closelen, 0, &k);
    restlen = co == 0 ? seal(rest, 0, 0, &other, &s8, 1, 2, peer_close, closelen, 1200 - n, &k)
                      : seal(rest, 0, 0, &d8, &s8, 1, 2, ping, sizeof(ping), 1200 - n, &k);
    if (co == 1) {
      rest[restlen - 1] ^= 0x01;
    }
  }
  memcpy(bad + n, rest, restlen);
  read_bad_then_close(server, &path, bad, n + restlen);
  ngtcp2_conn_del(server);
}

/* A confirmed pair's reader (hostile_pair) reads the peer's 1-RTT packet carrying PING (seal_peer_1rtt) followed by
   trail bytes of 0x5a: a short header packet runs to the end of the datagram (RFC 9000 §12.2), so they are part of
   its ciphertext and its authentication fails; then it closes (read_bad_then_close). Printed: frames, trail. */
static void trailing_case(const char *name, int to_server, size_t trail) {
  static uint8_t bad[MAXBUF];
  char keys[64];
  ngtcp2_conn *peer;
  ngtcp2_path path = to_server ? server_path() : client_path();
  snprintf(keys, sizeof(keys), " frames=01 reserved=0 trail=%zu", trail);
  ngtcp2_conn *reader = hostile_pair(name, to_server, keys, &peer);
  if (!reader) {
    return;
  }
  ngtcp2_conn_del(peer);
  size_t n = seal_peer_1rtt(bad, to_server, "01", 0, 0);
  memset(bad + n, 0x5a, trail);
  read_bad_then_close(reader, &path, bad, n + trail);
  ngtcp2_conn_del(reader);
}

/* ---- a server's first contact (RFC 9000 §14.1, §7.2, §17.2.2) ---- */

/* A client's first Initial (packet number 0, from S8 to dcid_hex, the client's Initial keys of dcid_hex) carrying
   CRYPTO 300 x 0x01, hand-sealed, then (co) nothing, a 0-RTT packet (1: keys from AS_C, which the server does not
   have) or a Handshake packet (2: HS_C, to SS8) carrying PING, or (3) 100 bytes of 0x00; the Initial fills the
   datagram to len bytes. A 21-byte DCID, which v1 does not allow (and ngtcp2_cid cannot hold), gets the same header
   with 0x5a bytes in place of its protected payload. libngtcp2 first decides with ngtcp2_accept (printed as accept),
   then a server built for that DCID (not for 21 bytes) reads the datagram and closes (read_bad_then_close).
   Printed: co (none|0rtt|hs|junk), len, accept. */
static void first_contact_case(const char *name, const char *dcid_hex, int co, size_t len) {
  static const char *cos[] = {"none", "0rtt", "hs", "junk"};
  static const uint8_t ping[] = {0x01, 0x00, 0x00};
  static uint8_t bad[MAXBUF], rest[MAXBUF], crypto[310];
  size_t restlen = 0, n;
  ngtcp2_path path = server_path();
  ngtcp2_cid s8 = cid_of(S8);
  pp_keys k;
  printf("%s kind=firstcontact ver=00000001 dcid=%s scid=%s sscid=%s co=%s len=%zu", name, dcid_hex, S8, SS8,
         cos[co], len);
  crypto[0] = 0x06, crypto[1] = 0x00, crypto[2] = 0x41, crypto[3] = 0x2c; /* CRYPTO, offset 0, length 300 */
  memset(crypto + 4, 0x01, sizeof(client_hello));
  if (co == 1 || co == 2) {
    ngtcp2_cid d = cid_of(co == 1 ? dcid_hex : SS8);
    keys_of_hex(&k, co == 1 ? AS_C : HS_C);
    restlen = seal(rest, co == 1 ? 1 : 2, 0, &d, &s8, 1, 0, ping, sizeof(ping), 0, &k);
  } else if (co == 3) {
    restlen = 100;
    memset(rest, 0, restlen);
  }
  if (strlen(dcid_hex) / 2 > NGTCP2_MAX_CIDLEN) {
    uint8_t dcid[32];
    size_t dcidlen;
    parse_hex(dcid_hex, dcid, &dcidlen);
    n = 0;
    bad[n++] = 0xc0;
    bad[n++] = 0, bad[n++] = 0, bad[n++] = 0, bad[n++] = 1;
    bad[n++] = (uint8_t)dcidlen;
    memcpy(bad + n, dcid, dcidlen);
    n += dcidlen;
    bad[n++] = (uint8_t)s8.datalen;
    memcpy(bad + n, s8.data, s8.datalen);
    n += s8.datalen;
    bad[n++] = 0; /* token length */
    size_t rem = len - n - 2; /* the Length field: the rest of the datagram */
    bad[n++] = (uint8_t)(0x40 | rem >> 8);
    bad[n++] = (uint8_t)rem;
    memset(bad + n, 0x5a, rem);
    print_hex("bad", bad, len);
    int rv = ngtcp2_accept(NULL, bad, len);
    printf(" accept=%d(%s)\n", rv, rv ? ngtcp2_strerror(rv) : "ok");
    return;
  }
  ngtcp2_cid dcid = cid_of(dcid_hex);
  initial_keys(&k, dcid_hex, 0);
  n = seal(bad, 0, 0, &dcid, &s8, 1, 0, crypto, 4 + sizeof(client_hello), len - restlen, &k);
  memcpy(bad + n, rest, restlen);
  int rv = ngtcp2_accept(NULL, bad, n + restlen);
  printf(" accept=%d(%s)", rv, rv ? ngtcp2_strerror(rv) : "ok");
  ngtcp2_conn *server = new_server(dcid_hex, S8, SS8, NULL);
  if (!server) {
    printf(" out=ERR:server setup\n");
    return;
  }
  read_bad_then_close(server, &path, bad, n + restlen);
  ngtcp2_conn_del(server);
}

/* ---- the peer's transport parameters (RFC 9000 §7.3, §7.4, §18.2) ---- */

/* The peer's transport parameters ptp_hex (one thing wrong each), given to ngtcp2_conn_decode_remote_transport_params
   by a server that read the client's first Initial (to_server: in; it holds no Handshake key, so its close is an
   Initial packet) or by a client that read the server's first datagram (sin) with Handshake keys of both directions,
   as in client_hs_case (its close is a Handshake packet); printed: ptp, rv (what the decode returned), ccerr (the
   code set_transport_error_liberr gives rv) and out, the close written with that ccerr into 1500 bytes. */
static void tp_case(const char *name, int to_server, const char *ptp_hex) {
  static uint8_t in[MAXBUF], sin[MAXBUF], ptp[MAXBUF], buf[MAXBUF];
  ngtcp2_ssize inlen, sinlen;
  size_t ptplen;
  ngtcp2_connection_close_error e;
  ngtcp2_pkt_info pi;
  ngtcp2_path spath = server_path(), cpath = client_path();
  printf("%s kind=peertp ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s to=%s", name, D8, S8, SS8, HS, HS_C,
         to_server ? "server" : "client");
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
  ngtcp2_conn *server = client ? new_server(D8, S8, SS8, NULL) : NULL;
  if (!server) {
    printf(" out=ERR:setup\n");
    return;
  }
  int rv;
  ngtcp2_conn *reader = to_server ? server : client;
  if (to_server) {
    print_hex("in", in, (size_t)inlen);
    pi.ecn = NGTCP2_ECN_NOT_ECT;
    rv = ngtcp2_conn_read_pkt(server, &spath, &pi, in, (size_t)inlen, T0);
    ngtcp2_conn_del(client);
  } else {
    rv = server_first_flight(server, in, inlen, sin, &sinlen, &pi);
    ngtcp2_conn_del(server);
    if (rv == 0 && sinlen > 0) {
      print_hex("sin", sin, (size_t)sinlen);
      pi.ecn = NGTCP2_ECN_NOT_ECT;
      rv = client_read_first_flight(client, &cpath, &pi, sin, sinlen);
    }
  }
  if (rv != 0) {
    printf(" out=ERR:%d(setup %s)\n", rv, ngtcp2_strerror(rv));
    ngtcp2_conn_del(reader);
    return;
  }
  parse_hex(ptp_hex, ptp, &ptplen);
  print_hex("ptp", ptp, ptplen);
  rv = ngtcp2_conn_decode_remote_transport_params(reader, ptp, ptplen);
  printf(" rv=%d(%s)", rv, rv ? ngtcp2_strerror(rv) : "ok");
  ngtcp2_connection_close_error_set_transport_error_liberr(&e, rv, NULL, 0);
  printf(" ccerr=0x%" PRIx64, e.error_code);
  print_out(ngtcp2_conn_write_connection_close(reader, NULL, &pi, buf, 1500, &e, T0), buf);
  ngtcp2_conn_del(reader);
}

/* ---- RTT estimate and PTO (rtt-* cases) ---- */

/* The rtt-* cases measure one libngtcp2 endpoint, X, against a peer written here by hand: every packet of the peer
   is sealed by seal (above) from the fixed secrets (QUIC v1, AES-128-GCM), so that each ACK frame's Largest
   Acknowledged, ranges and ACK Delay are chosen, also in Initial and Handshake packets (libngtcp2 0.12.1 always
   writes ACK Delay 0 there itself). The events and values printed are listed in the header comment. */

#define RTT_MS ((ngtcp2_tstamp)1000000ULL)
#define RTT_US ((ngtcp2_tstamp)1000ULL)

static size_t rtt_varint(uint8_t *p, uint64_t v) {
  if (v < 64) {
    p[0] = (uint8_t)v;
    return 1;
  }
  if (v < 16384) {
    p[0] = (uint8_t)(0x40 | v >> 8), p[1] = (uint8_t)v;
    return 2;
  }
  p[0] = (uint8_t)(0x80 | v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
  return 4;
}

/* An ACK frame: ranges[0..2*nranges) holds largest and smallest of each range, newest first; delay is the ACK Delay
   field as sent (already scaled down by the exponent). */
static size_t rtt_ack(uint8_t *p, const int64_t *ranges, size_t nranges, uint64_t delay) {
  size_t n = 0;
  p[n++] = 0x02;
  n += rtt_varint(p + n, (uint64_t)ranges[0]);
  n += rtt_varint(p + n, delay);
  n += rtt_varint(p + n, nranges - 1);
  n += rtt_varint(p + n, (uint64_t)(ranges[0] - ranges[1]));
  for (size_t i = 1; i < nranges; ++i) {
    n += rtt_varint(p + n, (uint64_t)(ranges[2 * i - 1] - ranges[2 * i] - 2));
    n += rtt_varint(p + n, (uint64_t)(ranges[2 * i] - ranges[2 * i + 1]));
  }
  return n;
}

static size_t rtt_crypto_frame(uint8_t *p, uint64_t offset, size_t len, uint8_t byte) {
  size_t n = 0;
  p[n++] = 0x06;
  n += rtt_varint(p + n, offset);
  n += rtt_varint(p + n, len);
  memset(p + n, byte, len);
  return n + len;
}

/* one case's state: X, the libngtcp2 endpoint measured, and its peer */
typedef struct {
  ngtcp2_conn *x;
  int server;          /* X's role */
  int ev;              /* the last event printed */
  int failed;          /* an error was printed as the case's out */
  ngtcp2_path path;    /* the path X reads on */
  pp_keys keys[4];     /* the peer's keys by level: 0 Initial, 2 Handshake, 3 1-RTT */
  uint64_t pn[4];      /* the peer's next packet number by level */
  ngtcp2_cid xcid;     /* X's SCID: the DCID of the peer's packets */
  ngtcp2_cid pcid;     /* the peer's SCID */
  uint64_t exp;        /* the peer's ack_delay_exponent */
  uint8_t ptp[256];    /* the peer's transport parameters */
  ngtcp2_ssize ptplen;
} rtt_run;

static void rtt_values(rtt_run *r) {
  ngtcp2_conn_stat st;
  ngtcp2_conn_get_conn_stat(r->x, &st);
  printf(" lat%d=%" PRIu64 " min%d=%" PRIu64 " srtt%d=%" PRIu64 " var%d=%" PRIu64 " pto%d=%" PRIu64, r->ev,
         (uint64_t)st.latest_rtt, r->ev, (uint64_t)st.min_rtt, r->ev, (uint64_t)st.smoothed_rtt, r->ev,
         (uint64_t)st.rttvar, r->ev, (uint64_t)ngtcp2_conn_get_pto(r->x));
}

static void rtt_fail(rtt_run *r, const char *what, long long rv) {
  if (!r->failed) {
    printf(" out=ERR:%lld(%s)", rv, what);
    r->failed = 1;
  }
}

/* X writes one datagram at T0 + t */
static void rtt_write(rtt_run *r, ngtcp2_tstamp t) {
  static uint8_t buf[MAXBUF];
  ngtcp2_pkt_info pi;
  if (r->failed) {
    return;
  }
  ngtcp2_ssize n = ngtcp2_conn_write_pkt(r->x, NULL, &pi, buf, 1452, T0 + t);
  if (n <= 0) {
    rtt_fail(r, "write_pkt", n);
    return;
  }
  printf(" e%d=w:%" PRIu64 ":", ++r->ev, (uint64_t)t);
  for (ngtcp2_ssize i = 0; i < n; ++i) {
    printf("%02x", buf[i]);
  }
}

/* X reads the datagram dg at T0 + t */
static void rtt_read_dgram(rtt_run *r, ngtcp2_tstamp t, const uint8_t *dg, size_t len, char op) {
  ngtcp2_pkt_info pi;
  if (r->failed) {
    return;
  }
  pi.ecn = NGTCP2_ECN_NOT_ECT;
  int rv = ngtcp2_conn_read_pkt(r->x, &r->path, &pi, dg, len, T0 + t);
  if (rv != 0) {
    rtt_fail(r, "read_pkt", rv);
    return;
  }
  printf(" e%d=%c:%" PRIu64 ":", ++r->ev, op, (uint64_t)t);
  for (size_t i = 0; i < len; ++i) {
    printf("%02x", dg[i]);
  }
  rtt_values(r);
}

/* X reads at T0 + t one packet of the peer at level (0 Initial, 2 Handshake, 3 1-RTT) carrying payload; a client's
   Initial datagram is padded to 1200 bytes with PADDING frames (RFC 9000 §14.1) */
static void rtt_read(rtt_run *r, ngtcp2_tstamp t, int level, const uint8_t *payload, size_t len) {
  static uint8_t frames[1500], dg[1500];
  memcpy(frames, payload, len);
  while (len < 4) {
    frames[len++] = 0; /* room for the header protection sample */
  }
  size_t n = seal(dg, level == 3 ? -1 : level, 0, &r->xcid, &r->pcid, 2, r->pn[level]++, frames, len,
                  level == 0 && r->server ? 1200 : 0, &r->keys[level]);
  rtt_read_dgram(r, t, dg, n, level == 2 && r->server && payload[0] == 0x06 ? 'f' : 'r');
}

/* the peer's ACK frame at level, read by X at T0 + t: largest..smallest ranges, an ACK Delay of delay_us
   microseconds (as the peer's exponent encodes it: its ack_delay_exponent at 1-RTT, 3 at Initial and Handshake) */
static void rtt_read_ack(rtt_run *r, ngtcp2_tstamp t, int level, const int64_t *ranges, size_t nranges,
                         uint64_t delay_us) {
  uint8_t p[64];
  size_t n = rtt_ack(p, ranges, nranges, delay_us >> (level == 3 ? r->exp : 3));
  rtt_read(r, t, level, p, n);
}

static const char *rtt_level_name(ngtcp2_crypto_level level) {
  return level == NGTCP2_CRYPTO_LEVEL_INITIAL ? "I" : level == NGTCP2_CRYPTO_LEVEL_HANDSHAKE ? "H" : "A";
}

/* X queues n bytes of byte as CRYPTO data at level */
static void rtt_crypto(rtt_run *r, ngtcp2_crypto_level level, size_t n, uint8_t byte) {
  static uint8_t data[256];
  if (r->failed) {
    return;
  }
  memset(data, byte, n);
  int rv = ngtcp2_conn_submit_crypto_data(r->x, level, data, n);
  if (rv != 0) {
    rtt_fail(r, "submit_crypto_data", rv);
    return;
  }
  printf(" e%d=c:%s:%zu:%02x", ++r->ev, rtt_level_name(level), n, byte);
}

/* X installs its key of level and direction: the fixed secrets of the other cases, by role */
static void rtt_key(rtt_run *r, ngtcp2_crypto_level level, int tx) {
  if (r->failed) {
    return;
  }
  int ours = r->server ? !tx : tx; /* the client's secret */
  const char *secret = level == NGTCP2_CRYPTO_LEVEL_HANDSHAKE ? ours ? HS_C : HS : ours ? AS_C : AS_S;
  install_key(r->x, level, tx, secret);
  printf(" e%d=k:%s:%s", ++r->ev, rtt_level_name(level), tx ? "tx" : "rx");
}

/* X takes the peer's transport parameters */
static void rtt_peer_params(rtt_run *r) {
  if (r->failed) {
    return;
  }
  int rv = ngtcp2_conn_decode_remote_transport_params(r->x, r->ptp, (size_t)r->ptplen);
  if (rv != 0) {
    rtt_fail(r, "decode_remote_transport_params", rv);
    return;
  }
  printf(" e%d=p", ++r->ev);
}

/* X is told its handshake completed */
static void rtt_completed(rtt_run *r) {
  if (r->failed) {
    return;
  }
  ngtcp2_conn_handshake_completed(r->x);
  printf(" e%d=d", ++r->ev);
  rtt_values(r);
}

/* X sends one 1-RTT packet of 20 CRYPTO bytes at T0 + t (with whatever ACK it owes) */
static void rtt_send(rtt_run *r, ngtcp2_tstamp t, uint8_t byte) {
  rtt_crypto(r, NGTCP2_CRYPTO_LEVEL_APPLICATION, 20, byte);
  rtt_write(r, t);
}

/* The confirmed part, the same for both roles: X's 1-RTT packets from pn0 on (pn0 is its first 1-RTT packet number
   here), each acknowledged by the peer with the ACK Delay chosen, from t on. mad_us is the peer's max_ack_delay. */
static void rtt_confirmed_steps(rtt_run *r, ngtcp2_tstamp t, int64_t pn0, uint64_t mad_us) {
  static const uint8_t ping[] = {0x01};
  int64_t pn = pn0;
  /* samples of 40 ms once the ACK Delay is subtracted (min_rtt is 18 ms for a client X, 30 ms for a server X): an
     ACK Delay of half max_ack_delay, of max_ack_delay, of 1.5 times it (capped to it, RFC 9002 §5.3 MUST); then a
     sample of 40 ms with an ACK Delay of 24 ms, which would take it below min_rtt (not subtracted, MUST NOT) */
  uint64_t delays[] = {mad_us / 2, mad_us, mad_us + mad_us / 2, 24 * RTT_MS / RTT_US};
  ngtcp2_tstamp rtts[] = {40 * RTT_MS + mad_us / 2 * RTT_US, 40 * RTT_MS + mad_us * RTT_US,
                          40 * RTT_MS + mad_us * RTT_US, 40 * RTT_MS};
  for (size_t i = 0; i < 4; ++i) {
    int64_t ack[] = {pn, 0};
    rtt_send(r, t, (uint8_t)(0x10 + i));
    rtt_read_ack(r, t + rtts[i], 3, ack, 1, delays[i]);
    t += rtts[i] + 10 * RTT_MS;
    ++pn;
  }
  /* a sample below min_rtt, ACK Delay 0: the new min_rtt */
  {
    int64_t ack[] = {pn, 0};
    rtt_send(r, t, 0x20);
    rtt_read_ack(r, t + 15 * RTT_MS, 3, ack, 1, 0);
    t += 25 * RTT_MS;
    ++pn;
  }
  /* two packets, the second acknowledged alone (a sample), then both: the largest is not newly acknowledged, though
     an ack-eliciting packet is (RFC 9002 §5.1: no sample) */
  {
    int64_t first[] = {pn + 1, pn + 1, pn - 1, 0};
    int64_t both[] = {pn + 1, 0};
    rtt_send(r, t, 0x21);
    rtt_send(r, t + 5 * RTT_MS, 0x22);
    rtt_read_ack(r, t + 40 * RTT_MS, 3, first, 2, 2000);
    rtt_read_ack(r, t + 45 * RTT_MS, 3, both, 1, 2000);
    t += 55 * RTT_MS;
    pn += 2;
  }
  /* the peer's PING, which X answers with an ACK-only packet; the peer's ACK of that packet alone newly
     acknowledges no ack-eliciting packet (RFC 9002 §5.1: no sample) */
  {
    int64_t ack[] = {pn, 0};
    rtt_read(r, t, 3, ping, sizeof(ping));
    rtt_write(r, t + 30 * RTT_MS);
    rtt_read_ack(r, t + 60 * RTT_MS, 3, ack, 1, 1000);
    t += 70 * RTT_MS;
    ++pn;
  }
  /* a few more samples, so that smoothed_rtt and rttvar move; the last one 0 (acknowledged at once, with an ACK
     Delay of 5 ms, larger than the sample: not subtracted) */
  ngtcp2_tstamp more[] = {90 * RTT_MS, 20 * RTT_MS, 55 * RTT_MS, 0};
  for (size_t i = 0; i < 4; ++i) {
    int64_t ack[] = {pn, 0};
    rtt_send(r, t, (uint8_t)(0x30 + i));
    rtt_read_ack(r, t + more[i], 3, ack, 1, 5000);
    t += more[i] + 10 * RTT_MS;
    ++pn;
  }
  /* last, since quic-core deliberately differs here (Libngtcp2RttVectorsTest), so that every step before it is
     compared exactly: an ack-eliciting packet, then an ACK-only one (the answer to another PING, not padded),
     acknowledged together: the largest is the ACK-only packet, and the ack-eliciting one is newly acknowledged too.
     RFC 9002 §5.1 takes a sample from the ACK-only packet's send time; libngtcp2 keeps no record of an unpadded
     ACK-only packet (its retransmission buffer holds ack-eliciting and padded packets only) and takes none */
  {
    int64_t ack[] = {pn + 1, 0};
    rtt_send(r, t, 0x23);
    rtt_read(r, t + 10 * RTT_MS, 3, ping, sizeof(ping));
    rtt_write(r, t + 40 * RTT_MS);
    rtt_read_ack(r, t + 75 * RTT_MS, 3, ack, 1, 3000);
  }
}

/* The peer's transport parameters with the ack_delay_exponent and max_ack_delay given: a server's (original_dcid
   D8, initial_scid sscid) for a client X, a client's (initial_scid scid) for a server X */
static void rtt_encode_peer_params(rtt_run *r, const char *dcid_hex, uint64_t exp, uint64_t mad_ms) {
  ngtcp2_transport_params p;
  default_params(&p);
  p.ack_delay_exponent = exp;
  p.max_ack_delay = mad_ms * RTT_MS;
  p.initial_scid = r->pcid;
  if (!r->server) {
    p.original_dcid = cid_of(dcid_hex);
  }
  r->ptplen = ngtcp2_encode_transport_params(r->ptp, sizeof(r->ptp),
                                             r->server ? NGTCP2_TRANSPORT_PARAMS_TYPE_CLIENT_HELLO
                                                       : NGTCP2_TRANSPORT_PARAMS_TYPE_ENCRYPTED_EXTENSIONS,
                                             &p);
}

/* the TLS stand-in of a server X: the client's Handshake CRYPTO data (its Finished) completes the handshake, told
   from within the read as a TLS stack does (the read then confirms it and discards the Handshake keys) */
static int rtt_server_recv_crypto_data(ngtcp2_conn *conn, ngtcp2_crypto_level level, uint64_t offset,
                                       const uint8_t *data, size_t datalen, void *user_data) {
  (void)offset, (void)data, (void)datalen, (void)user_data;
  if (level == NGTCP2_CRYPTO_LEVEL_HANDSHAKE) {
    ngtcp2_conn_handshake_completed(conn);
  }
  return 0;
}

/* An RTT case: X is a client (server 0) or a server (1); the peer's transport parameters carry exp and mad_ms. */
static void rtt_case(const char *name, int server, uint64_t exp, uint64_t mad_ms) {
  static uint8_t in[MAXBUF], ltp[256];
  static const uint8_t done[] = {0x1e};
  ngtcp2_ssize inlen, ltplen;
  uint8_t p[256];
  size_t n;
  rtt_run r;
  memset(&r, 0, sizeof(r));
  r.server = server;
  r.exp = exp;
  r.xcid = cid_of(server ? SS8 : S8);
  r.pcid = cid_of(server ? S8 : SS8);
  initial_keys(&r.keys[0], D8, !server);
  keys_of_hex(&r.keys[2], server ? HS_C : HS);
  keys_of_hex(&r.keys[3], server ? AS_C : AS_S);
  rtt_encode_peer_params(&r, D8, exp, mad_ms);
  printf("%s kind=rtt role=%s ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s as=%s asc=%s pexp=%" PRIu64
         " pmad=%" PRIu64,
         name, server ? "server" : "client", D8, S8, SS8, HS, HS_C, AS_S, AS_C, exp, mad_ms);
  print_hex("ptp", r.ptp, (size_t)r.ptplen);
  no_pmtud = 1;
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
  r.x = client;
  if (server) {
    server_recv_crypto = rtt_server_recv_crypto_data;
    r.x = new_server(D8, S8, SS8, NULL);
    server_recv_crypto = NULL;
    ngtcp2_conn_del(client);
  }
  no_pmtud = 0;
  if (!client || !r.x) {
    printf(" out=ERR:setup\n");
    return;
  }
  r.path = server ? server_path() : client_path();
  ltplen = server ? ngtcp2_conn_encode_local_transport_params(r.x, ltp, sizeof(ltp)) : client_tplen;
  print_hex("ltp", server ? ltp : client_tp, (size_t)ltplen);
  if (!server) {
    /* Initial: X's first packet; the server's first Initial, a PING, 10 ms later, which X answers with an ACK-only
       Initial (padded to 1200 bytes, as a client's Initial datagrams are) at 12 ms; the server's ACK of both at 30 ms
       (the first sample, whatever the ACK Delay: 18 ms from the ACK-only packet, the largest acknowledged, or none
       where only ack-eliciting packets are remembered); then X's second ack-eliciting Initial at 40 ms, acknowledged
       at 90 ms with an ACK Delay of 20 ms, which RFC 9002 §5.3 lets an endpoint ignore in Initial packets (50 ms, or
       30 ms once the delay is subtracted), with the server's CRYPTO data */
    static const uint8_t ping1[] = {0x01};
    int64_t first[] = {0, 0}, two[] = {1, 0}, three[] = {2, 0};
    printf(" e%d=c:I:%zu:01 e%d=w:0:", r.ev + 1, sizeof(client_hello), r.ev + 2); /* queued by client_initial */
    r.ev += 2;
    for (ngtcp2_ssize i = 0; i < inlen; ++i) {
      printf("%02x", in[i]);
    }
    rtt_read(&r, 10 * RTT_MS, 0, ping1, sizeof(ping1));
    rtt_write(&r, 12 * RTT_MS);
    rtt_read_ack(&r, 30 * RTT_MS, 0, two, 1, 16000);
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_INITIAL, 50, 0x05);
    rtt_write(&r, 40 * RTT_MS);
    n = rtt_ack(p, three, 1, 20000 >> 3);
    n += rtt_crypto_frame(p + n, 0, 90, 0x02);
    rtt_read(&r, 90 * RTT_MS, 0, p, n);
    /* Handshake: the server's CRYPTO data, then X's Finished, acknowledged 50 ms later with an ACK Delay of 10 ms
       (40 ms once subtracted) */
    set_gcm_ctx(r.x);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 0);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 1);
    n = rtt_crypto_frame(p, 0, 90, 0x03);
    rtt_read(&r, 95 * RTT_MS, 2, p, n);
    rtt_peer_params(&r);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_APPLICATION, 0);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_APPLICATION, 1);
    rtt_completed(&r);
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 36, 0x04);
    rtt_write(&r, 100 * RTT_MS);
    rtt_read_ack(&r, 150 * RTT_MS, 2, first, 1, 10000);
    /* 1-RTT before confirmation: max_ack_delay is not applied yet (RFC 9002 §5.3 SHOULD): an ACK Delay of 1.5 times
       it, subtracted whole; then one that would take the sample below min_rtt */
    {
      int64_t a0[] = {0, 0}, a1[] = {1, 0};
      uint64_t mad_us = mad_ms * 1000;
      rtt_send(&r, 160 * RTT_MS, 0x08);
      rtt_read_ack(&r, 160 * RTT_MS + 40 * RTT_MS + mad_us * 3 / 2 * RTT_US, 3, a0, 1, mad_us * 3 / 2);
      rtt_send(&r, 300 * RTT_MS, 0x09);
      rtt_read_ack(&r, 340 * RTT_MS, 3, a1, 1, 25000);
    }
    /* HANDSHAKE_DONE: confirmed */
    rtt_read(&r, 350 * RTT_MS, 3, done, sizeof(done));
    rtt_confirmed_steps(&r, 360 * RTT_MS, 2, mad_ms * 1000);
  } else {
    /* Initial: the client's first Initial (libngtcp2's), X's first flight 10 ms later, acknowledged at 40 ms (the
       first sample: 30 ms), then one more Initial packet at 45 ms, acknowledged at 95 ms with an ACK Delay of
       20 ms (50 ms, or 30 ms once the delay is subtracted) */
    int64_t first[] = {0, 0}, both[] = {1, 0};
    rtt_read_dgram(&r, 0, in, (size_t)inlen, 'r');
    rtt_peer_params(&r);
    set_gcm_ctx(r.x);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 1);
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_INITIAL, 90, 0x02);
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 90, 0x03);
    rtt_write(&r, 10 * RTT_MS);
    r.pn[0] = 1; /* the client's first Initial was packet 0 */
    rtt_read_ack(&r, 40 * RTT_MS, 0, first, 1, 16000);
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_INITIAL, 40, 0x06);
    rtt_write(&r, 45 * RTT_MS);
    rtt_read_ack(&r, 95 * RTT_MS, 0, both, 1, 20000);
    /* Handshake: one more Handshake packet at 100 ms, acknowledged with the first at 150 ms with an ACK Delay of
       10 ms (50 ms, or 40 ms once subtracted); then the client's Finished, and the handshake completes */
    rtt_crypto(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 30, 0x07);
    rtt_write(&r, 100 * RTT_MS);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 0);
    rtt_read_ack(&r, 150 * RTT_MS, 2, both, 1, 10000);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_APPLICATION, 1);
    rtt_key(&r, NGTCP2_CRYPTO_LEVEL_APPLICATION, 0);
    n = rtt_crypto_frame(p, 0, 36, 0x04);
    rtt_read(&r, 155 * RTT_MS, 2, p, n);
    /* HANDSHAKE_DONE (1-RTT packet 0), acknowledged 40 ms later */
    {
      int64_t a0[] = {0, 0};
      rtt_write(&r, 160 * RTT_MS);
      rtt_read_ack(&r, 200 * RTT_MS, 3, a0, 1, 0);
    }
    rtt_confirmed_steps(&r, 210 * RTT_MS, 1, mad_ms * 1000);
  }
  ngtcp2_conn_del(r.x);
  putchar('\n');
}


/* ---- the handshake levels: key discard (RFC 9001 §4.9) and the peer's Handshake packets (kind=hostilehs) ---- */

/* A client (new_client) and its server after the server's first flight (server_first_flight; the client's first
   Initial printed as first, the server's datagram as sin). to_server: the server, which also installs its Handshake
   rx key (HS_C), reads; with step 1 it first queues 3000 bytes of 0x05 as Handshake CRYPTO data and writes until it
   writes nothing more (its 3x amplification budget, RFC 9000 §8.1: pre_out). Else the client, holding Handshake keys
   of both directions (HS_C, HS), reads sin; step 1 it then writes its datagram (its ACKs: cw), step 2 it first
   queues 36 bytes of 0x04 as Handshake CRYPTO data (its Finished) and writes it (cw). Then, unless frames is empty,
   the peer's hand-sealed packet carrying frames, with the reserved bits as given (level 2: a Handshake packet, the
   client's packet number 0 or the server's 1; level 0: an Initial, the client's packet number 1 padded to 1200
   bytes, or the server's 1), its last byte inverted if flip (its authentication fails), is read, and the reader
   closes (read_bad_then_close); with no frames it closes with NO_ERROR. Printed: to, step, level, frames, reserved,
   flip. */
static void handshake_case(const char *name, int to_server, int step, int level, const char *frames, int reserved,
                           int flip) {
  static uint8_t in[MAXBUF], sin[MAXBUF], bad[MAXBUF], buf[MAXBUF], payload[MAXBUF], extra[3000];
  ngtcp2_ssize inlen, sinlen, n;
  size_t payloadlen, badlen;
  ngtcp2_pkt_info pi;
  ngtcp2_connection_close_error e;
  ngtcp2_path spath = server_path(), cpath = client_path();
  ngtcp2_cid d8 = cid_of(D8), s8 = cid_of(S8), ss8 = cid_of(SS8);
  pp_keys k;
  printf("%s kind=hostilehs ver=00000001 dcid=%s scid=%s sscid=%s hs=%s hsc=%s to=%s step=%d level=%d frames=%s"
         " reserved=%d flip=%d", name, D8, S8, SS8, HS, HS_C, to_server ? "server" : "client", step, level, frames,
         reserved, flip);
  ngtcp2_conn *client = new_client(NGTCP2_PROTO_VER_V1, D8, S8, in, &inlen);
  ngtcp2_conn *server = client ? new_server(D8, S8, SS8, NULL) : NULL;
  if (!server) {
    printf(" out=ERR:setup\n");
    return;
  }
  print_hex("first", in, (size_t)inlen);
  int rv = server_first_flight(server, in, inlen, sin, &sinlen, &pi);
  if (rv != 0 || sinlen <= 0) {
    printf(" out=ERR:%d/%zd(server setup)\n", rv, sinlen);
    return;
  }
  print_hex("sin", sin, (size_t)sinlen);
  ngtcp2_conn *reader = to_server ? server : client;
  if (to_server) {
    ngtcp2_conn_del(client);
    install_key(server, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, 0, HS_C);
    if (step == 1) {
      memset(extra, 0x05, sizeof(extra));
      ngtcp2_conn_submit_crypto_data(server, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, extra, sizeof(extra));
      if (flush_to(server, NULL, NULL, "pre_out", T0) != 0) {
        return;
      }
    }
  } else {
    ngtcp2_conn_del(server);
    pi.ecn = NGTCP2_ECN_NOT_ECT;
    rv = client_read_first_flight(client, &cpath, &pi, sin, sinlen);
    if (rv != 0) {
      printf(" out=ERR:%d(client read %s)\n", rv, ngtcp2_strerror(rv));
      return;
    }
    if (step == 2) {
      memset(extra, 0x04, 36);
      ngtcp2_conn_submit_crypto_data(client, NGTCP2_CRYPTO_LEVEL_HANDSHAKE, extra, 36);
    }
    if (step > 0 && flush_to(client, NULL, NULL, "cw", T0) != 0) {
      return;
    }
  }
  if (!*frames) {
    ngtcp2_connection_close_error_set_transport_error_liberr(&e, 0, NULL, 0);
    n = ngtcp2_conn_write_connection_close(reader, NULL, &pi, buf, 1500, &e, T0);
    print_out(n, buf);
    ngtcp2_conn_del(reader);
    return;
  }
  parse_hex(frames, payload, &payloadlen);
  if (level == 2) {
    keys_of_hex(&k, to_server ? HS_C : HS);
    badlen = seal(bad, 2, reserved, to_server ? &ss8 : &s8, to_server ? &s8 : &ss8, 1, to_server ? 0 : 1, payload,
                  payloadlen, 0, &k);
  } else {
    initial_keys(&k, D8, !to_server);
    badlen = seal(bad, 0, reserved, to_server ? &d8 : &s8, to_server ? &s8 : &ss8, 1, 1, payload, payloadlen,
                  to_server ? 1200 : 0, &k);
  }
  if (flip) {
    bad[badlen - 1] ^= 0x01;
  }
  read_bad_then_close(reader, to_server ? &spath : &cpath, bad, badlen);
  ngtcp2_conn_del(reader);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  if (argc > 2) {
    verbose_log = 1;
  }
  memset(client_hello, 0x01, sizeof(client_hello));
  memset(&client_addr, 0, sizeof(client_addr));
  client_addr.sin_family = AF_INET;
  client_addr.sin_port = htons(50000);
  client_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr = client_addr;
  server_addr.sin_port = htons(443);

  const ngtcp2_info *info = ngtcp2_version(0);
  printf("# libngtcp2 %s, gnutls %s\n", info->version_str, gnutls_check_version(NULL));
  printf("# written by benchmarks/ngtcp2/close-vectors.sh (ngtcp2-close-vectors.c); "
         "one case a line: name key=value ... out=<hex or ERR>\n");
  if (only && !strcmp(only, "list")) {
    return 0;
  }
#define RUN(n) if (!only || !strncmp(only, n, strlen(only)))
  /* client, transport close: codes and reasons */
  RUN("c-t-code0-r0") client_case("c-t-code0-r0", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0, 0, 1500, 1);
  RUN("c-t-code2-r11") client_case("c-t-code2-r11", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x2, 11, 1500, 0);
  RUN("c-t-codea-r1") client_case("c-t-codea-r1", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 1, 1500, 0);
  RUN("c-t-code128-r0") client_case("c-t-code128-r0", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x128, 0, 1500, 0);
  RUN("c-t-codemax-r100")
    client_case("c-t-codemax-r100", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x3fffffffffffffffULL, 100, 1500, 0);
  RUN("c-t-code40000000-r500")
    client_case("c-t-code40000000-r500", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x40000000ULL, 500, 1500, 0);
  RUN("c-t-code2-r1100") client_case("c-t-code2-r1100", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x2, 1100, 1500, 0);
  RUN("c-t-code2-r1150") client_case("c-t-code2-r1150", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x2, 1150, 1500, 0);
  RUN("c-t-code2-r1151") client_case("c-t-code2-r1151", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0x2, 1151, 1500, 0);
  /* client, application close */
  RUN("c-a-code0-r0") client_case("c-a-code0-r0", NGTCP2_PROTO_VER_V1, D8, S8, 1, 0, 0, 1500, 0);
  RUN("c-a-code1234-r11") client_case("c-a-code1234-r11", NGTCP2_PROTO_VER_V1, D8, S8, 1, 0x1234, 11, 1500, 0);
  RUN("c-a-codemax-r1100")
    client_case("c-a-codemax-r1100", NGTCP2_PROTO_VER_V1, D8, S8, 1, 0x3fffffffffffffffULL, 1100, 1500, 0);
  /* client, destlen */
  RUN("c-t-dest1452") client_case("c-t-dest1452", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 1452, 0);
  RUN("c-t-dest1200") client_case("c-t-dest1200", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 1200, 0);
  RUN("c-t-dest1000") client_case("c-t-dest1000", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 1000, 0);
  RUN("c-t-dest60") client_case("c-t-dest60", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 60, 0);
  RUN("c-t-dest59") client_case("c-t-dest59", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 59, 0);
  RUN("c-t-dest49") client_case("c-t-dest49", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 0, 49, 0);
  RUN("c-t-dest48") client_case("c-t-dest48", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 0, 48, 0);
  RUN("c-t-dest20") client_case("c-t-dest20", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 0, 20, 0);
  RUN("c-a-dest49") client_case("c-a-dest49", NGTCP2_PROTO_VER_V1, D8, S8, 1, 0x77, 5, 49, 0);
  RUN("c-a-dest48") client_case("c-a-dest48", NGTCP2_PROTO_VER_V1, D8, S8, 1, 0x77, 5, 48, 0);
  /* client, no_tx_udp_payload_size_shaping (max_tx_udp_payload_size stays 1452) */
  no_shaping = 1;
  RUN("c-t-noshape-dest1500") client_case("c-t-noshape-dest1500", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 1500, 1);
  RUN("c-t-noshape-dest1300") client_case("c-t-noshape-dest1300", NGTCP2_PROTO_VER_V1, D8, S8, 0, 0xa, 11, 1300, 0);
  no_shaping = 0;
  /* client, connection ID lengths */
  RUN("c-t-d0-s8") client_case("c-t-d0-s8", NGTCP2_PROTO_VER_V1, "", S8, 0, 0x2, 11, 1500, 0);
  RUN("c-t-d1-s8") client_case("c-t-d1-s8", NGTCP2_PROTO_VER_V1, "a1", S8, 0, 0x2, 11, 1500, 0);
  RUN("c-t-d8-s0") client_case("c-t-d8-s0", NGTCP2_PROTO_VER_V1, D8, "", 0, 0x2, 11, 1500, 0);
  RUN("c-t-d8-s1") client_case("c-t-d8-s1", NGTCP2_PROTO_VER_V1, D8, "b2", 0, 0x2, 11, 1500, 0);
  RUN("c-t-d18-s18") client_case("c-t-d18-s18", NGTCP2_PROTO_VER_V1, D18, D18, 0, 0x2, 11, 1500, 1);
  RUN("c-t-d20-s20") client_case("c-t-d20-s20", NGTCP2_PROTO_VER_V1, D20, D20, 0, 0x2, 11, 1500, 0);
  RUN("c-t-d20-s0") client_case("c-t-d20-s0", NGTCP2_PROTO_VER_V1, D20, "", 0, 0x2, 11, 1500, 0);
  /* client, draft v2 (the only v2 0.12.1 knows) */
  RUN("c-t-v2draft") client_case("c-t-v2draft", NGTCP2_PROTO_VER_V2_DRAFT, D8, S8, 0, 0x2, 11, 1500, 1);
  /* server */
  RUN("s-i-t") server_case("s-i-t", D8, S8, SS8, NULL, 0, 0, 0, 0x128, 0, 1500);
  RUN("s-i-t-r11") server_case("s-i-t-r11", D8, S8, SS8, NULL, 0, 0, 0, 0x2, 11, 1500);
  RUN("s-i-a") server_case("s-i-a", D8, S8, SS8, NULL, 0, 0, 1, 0x1234, 11, 1500);
  RUN("s-i-t-s0") server_case("s-i-t-s0", D8, "", SS8, NULL, 0, 0, 0, 0xa, 3, 1500);
  RUN("s-i-t-d18") server_case("s-i-t-d18", D18, S8, D20, NULL, 0, 0, 0, 0xa, 3, 1500);
  RUN("s-ih-t") server_case("s-ih-t", D8, S8, SS8, HS, 0, 0, 0, 0xa, 11, 1500);
  RUN("s-ih-a") server_case("s-ih-a", D8, S8, SS8, HS, 0, 0, 1, 0x1234, 11, 1500);
  RUN("s-ih-t-r1100") server_case("s-ih-t-r1100", D8, S8, SS8, HS, 0, 0, 0, 0xa, 1100, 1500);
  RUN("s-ih-t-r600") server_case("s-ih-t-r600", D8, S8, SS8, HS, 0, 0, 0, 0xa, 600, 1500);
  RUN("s-ih-t-dest60") server_case("s-ih-t-dest60", D8, S8, SS8, HS, 0, 0, 0, 0xa, 0, 60);
  RUN("s-ih-t-dest90") server_case("s-ih-t-dest90", D8, S8, SS8, HS, 0, 0, 0, 0xa, 0, 90);
  RUN("s-ih-amp0") server_case("s-ih-amp0", D8, S8, SS8, HS, 3000, 0, 0, 0xa, 0, 1500);
  RUN("s-ih-amp20") server_case("s-ih-amp20", D8, S8, SS8, HS, 3000, 20, 0, 0xa, 0, 1500);
  RUN("s-ih-amp40") server_case("s-ih-amp40", D8, S8, SS8, HS, 3000, 40, 0, 0xa, 0, 1500);
  RUN("s-ih-amp16") server_case("s-ih-amp16", D8, S8, SS8, HS, 3000, 16, 0, 0xa, 0, 1500);
  RUN("s-ih-amp29") server_case("s-ih-amp29", D8, S8, SS8, HS, 3000, 29, 0, 0xa, 0, 1500);
  RUN("s-ih-amp29-r39") server_case("s-ih-amp29-r39", D8, S8, SS8, HS, 3000, 29, 0, 0xa, 39, 1500);
  /* server with 1-RTT keys: unconfirmed (Initial + Handshake + 1-RTT) and confirmed (1-RTT only) */
  RUN("s1u-t") server_1rtt_case("s1u-t", D8, S8, SS8, 0, 0, 0, 0xa, 11, 1500);
  RUN("s1u-a") server_1rtt_case("s1u-a", D8, S8, SS8, 0, 0, 1, 0x1234, 11, 1500);
  RUN("s1u-t-r0") server_1rtt_case("s1u-t-r0", D8, S8, SS8, 0, 0, 0, 0x0, 0, 1500);
  RUN("s1u-a-r0") server_1rtt_case("s1u-a-r0", D8, S8, SS8, 0, 0, 1, 0x0, 0, 1500);
  RUN("s1u-t-r500") server_1rtt_case("s1u-t-r500", D8, S8, SS8, 0, 0, 0, 0xa, 500, 1500);
  RUN("s1u-t-r700") server_1rtt_case("s1u-t-r700", D8, S8, SS8, 0, 0, 0, 0xa, 700, 1500);
  RUN("s1u-t-r1100") server_1rtt_case("s1u-t-r1100", D8, S8, SS8, 0, 0, 0, 0xa, 1100, 1500);
  RUN("s1u-a-r1300") server_1rtt_case("s1u-a-r1300", D8, S8, SS8, 0, 0, 1, 0x1234, 1300, 1500);
  RUN("s1u-a-r1500") server_1rtt_case("s1u-a-r1500", D8, S8, SS8, 0, 0, 1, 0x1234, 1500, 1500);
  RUN("s1u-t-dest100") server_1rtt_case("s1u-t-dest100", D8, S8, SS8, 0, 0, 0, 0xa, 0, 100);
  RUN("s1u-t-dest130") server_1rtt_case("s1u-t-dest130", D8, S8, SS8, 0, 0, 0, 0xa, 0, 130);
  RUN("s1u-a-dest100") server_1rtt_case("s1u-a-dest100", D8, S8, SS8, 0, 0, 1, 0x1234, 0, 100);
  RUN("s1u-a-dest120") server_1rtt_case("s1u-a-dest120", D8, S8, SS8, 0, 0, 1, 0x1234, 0, 120);
  RUN("s1u-t-d0") server_1rtt_case("s1u-t-d0", D8, "", SS8, 0, 0, 0, 0x0, 0, 1500);
  RUN("s1u-t-d20") server_1rtt_case("s1u-t-d20", D8, D20, D20, 0, 0, 0, 0x0, 0, 1500);
  RUN("s1c-t") server_1rtt_case("s1c-t", D8, S8, SS8, 1, 0, 0, 0xa, 11, 1500);
  RUN("s1c-a") server_1rtt_case("s1c-a", D8, S8, SS8, 1, 0, 1, 0x1234, 11, 1500);
  RUN("s1c-t-r0") server_1rtt_case("s1c-t-r0", D8, S8, SS8, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-a-r0") server_1rtt_case("s1c-a-r0", D8, S8, SS8, 1, 0, 1, 0x0, 0, 1500);
  RUN("s1c-t-r1400") server_1rtt_case("s1c-t-r1400", D8, S8, SS8, 1, 0, 0, 0xa, 1400, 1500);
  RUN("s1c-t-dest30") server_1rtt_case("s1c-t-dest30", D8, S8, SS8, 1, 0, 0, 0x0, 0, 30);
  RUN("s1c-t-dest29") server_1rtt_case("s1c-t-dest29", D8, S8, SS8, 1, 0, 0, 0x0, 0, 29);
  RUN("s1c-t-dest28") server_1rtt_case("s1c-t-dest28", D8, S8, SS8, 1, 0, 0, 0x0, 0, 28);
  RUN("s1c-t-dest40") server_1rtt_case("s1c-t-dest40", D8, S8, SS8, 1, 0, 0, 0xa, 11, 40);
  /* short-header DCID (the client's SCID) of 0, 8 and 20 bytes against server SCIDs of 8 and 20: the minimum
     1-RTT packet (0.12.1: DCID + 22; current: local SCID + 22) */
  RUN("s1c-t-d0-s8") server_1rtt_case("s1c-t-d0-s8", D8, "", SS8, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-a-d0-s8") server_1rtt_case("s1c-a-d0-s8", D8, "", SS8, 1, 0, 1, 0x0, 0, 1500);
  RUN("s1c-t-d0-s20") server_1rtt_case("s1c-t-d0-s20", D8, "", D20, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-t-d8-s20") server_1rtt_case("s1c-t-d8-s20", D8, S8, D20, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-t-d20-s8") server_1rtt_case("s1c-t-d20-s8", D8, D20, SS8, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-t-d20-s20") server_1rtt_case("s1c-t-d20-s20", D8, D20, D20, 1, 0, 0, 0x0, 0, 1500);
  RUN("s1c-t-d20-s20-r11") server_1rtt_case("s1c-t-d20-s20-r11", D8, D20, D20, 1, 0, 0, 0xa, 11, 1500);
  /* packet numbers after earlier 1-RTT packets (pn length: RFC 9000 A.2) */
  RUN("s1c-pre5") server_1rtt_case("s1c-pre5", D8, S8, SS8, 1, 5, 0, 0xa, 11, 1500);
  RUN("s1c-pre127") server_1rtt_case("s1c-pre127", D8, S8, SS8, 1, 127, 0, 0xa, 11, 1500);
  RUN("s1c-pre128") server_1rtt_case("s1c-pre128", D8, S8, SS8, 1, 128, 0, 0xa, 11, 1500);
  RUN("s1c-pre300") server_1rtt_case("s1c-pre300", D8, S8, SS8, 1, 300, 0, 0xa, 0, 1500);
  /* client at Handshake level */
  RUN("ch-t") client_hs_case("ch-t", D8, S8, SS8, 0, 0xa, 11, 1500);
  RUN("ch-a") client_hs_case("ch-a", D8, S8, SS8, 1, 0x1234, 11, 1500);
  RUN("ch-t-r0") client_hs_case("ch-t-r0", D8, S8, SS8, 0, 0x0, 0, 1500);
  RUN("ch-t-s0") client_hs_case("ch-t-s0", D8, "", SS8, 0, 0x0, 0, 1500);
  RUN("ch-t-d20") client_hs_case("ch-t-d20", D8, D20, D20, 0, 0x0, 0, 1500);
  RUN("ch-t-r1100") client_hs_case("ch-t-r1100", D8, S8, SS8, 0, 0xa, 1100, 1500);
  RUN("ch-t-dest48") client_hs_case("ch-t-dest48", D8, S8, SS8, 0, 0x0, 0, 48);
  RUN("ch-t-dest47") client_hs_case("ch-t-dest47", D8, S8, SS8, 0, 0x0, 0, 47);
  /* client after a Retry */
  RUN("cr-t") client_retry_case("cr-t", D8, S8, "a1a2a3a4a5a6a7a8", "7474747474747474747474747474747474747474", 0,
                                0xa, 11, 1500);
  RUN("cr-a") client_retry_case("cr-a", D8, S8, "a1a2a3a4a5a6a7a8", "7474747474747474747474747474747474747474", 1,
                                0x1234, 11, 1500);
  /* stateless */
  RUN("sl-t") stateless_case("sl-t", S8, D8, 0x128, 0, 1200);
  RUN("sl-t-r11") stateless_case("sl-t-r11", S8, D8, 0xb, 11, 1200);
  RUN("sl-t-d18") stateless_case("sl-t-d18", D18, D20, 0xb, 3, 1200);
  RUN("sl-t-dest16") stateless_case("sl-t-dest16", S8, D8, 0xb, 0, 16);
  /* last, so that the random draws of the cases above stay as they were: s-ih-amp0's spent budget raised by 100
     bytes nobody can decrypt, whose header does not parse (Length past the end, an unknown version, the QUIC bit 0)
     or names another connection */
  junk_kind = 1;
  RUN("s-ih-amp100-trunc") server_case("s-ih-amp100-trunc", D8, S8, SS8, HS, 3000, 100, 0, 0xa, 0, 1500);
  junk_kind = 2;
  RUN("s-ih-amp100-otherid") server_case("s-ih-amp100-otherid", D8, S8, SS8, HS, 3000, 100, 0, 0xa, 0, 1500);
  junk_kind = 3;
  RUN("s-ih-amp100-version") server_case("s-ih-amp100-version", D8, S8, SS8, HS, 3000, 100, 0, 0xa, 0, 1500);
  junk_kind = 4;
  RUN("s-ih-amp100-quicbit") server_case("s-ih-amp100-quicbit", D8, S8, SS8, HS, 3000, 100, 0, 0xa, 0, 1500);
  junk_kind = 0;
  /* client with 1-RTT keys: handshake completed, unconfirmed (Handshake + 1-RTT) and confirmed (1-RTT only) */
  RUN("c1u-t") client_1rtt_case("c1u-t", D8, S8, SS8, 0, 0, 0xa, 11, 1500);
  RUN("c1u-a") client_1rtt_case("c1u-a", D8, S8, SS8, 0, 1, 0x1234, 11, 1500);
  RUN("c1u-t-r0") client_1rtt_case("c1u-t-r0", D8, S8, SS8, 0, 0, 0x0, 0, 1500);
  RUN("c1u-a-r0") client_1rtt_case("c1u-a-r0", D8, S8, SS8, 0, 1, 0x0, 0, 1500);
  RUN("c1u-t-r600") client_1rtt_case("c1u-t-r600", D8, S8, SS8, 0, 0, 0xa, 600, 1500);
  RUN("c1u-t-r1100") client_1rtt_case("c1u-t-r1100", D8, S8, SS8, 0, 0, 0xa, 1100, 1500);
  RUN("c1u-a-r1100") client_1rtt_case("c1u-a-r1100", D8, S8, SS8, 0, 1, 0x1234, 1100, 1500);
  RUN("c1u-a-r1300") client_1rtt_case("c1u-a-r1300", D8, S8, SS8, 0, 1, 0x1234, 1300, 1500);
  RUN("c1u-t-dest78") client_1rtt_case("c1u-t-dest78", D8, S8, SS8, 0, 0, 0x0, 0, 78);
  RUN("c1u-t-dest77") client_1rtt_case("c1u-t-dest77", D8, S8, SS8, 0, 0, 0x0, 0, 77);
  RUN("c1u-t-dest48") client_1rtt_case("c1u-t-dest48", D8, S8, SS8, 0, 0, 0x0, 0, 48);
  RUN("c1u-t-dest47") client_1rtt_case("c1u-t-dest47", D8, S8, SS8, 0, 0, 0x0, 0, 47);
  RUN("c1u-t-dest29") client_1rtt_case("c1u-t-dest29", D8, S8, SS8, 0, 0, 0x0, 0, 29);
  RUN("c1u-t-d0") client_1rtt_case("c1u-t-d0", D8, S8, "", 0, 0, 0x0, 0, 1500);
  RUN("c1u-t-d20") client_1rtt_case("c1u-t-d20", D8, S8, D20, 0, 0, 0x0, 0, 1500);
  RUN("c1c-t") client_1rtt_case("c1c-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("c1c-a") client_1rtt_case("c1c-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  RUN("c1c-t-r0") client_1rtt_case("c1c-t-r0", D8, S8, SS8, 1, 0, 0x0, 0, 1500);
  RUN("c1c-a-r0") client_1rtt_case("c1c-a-r0", D8, S8, SS8, 1, 1, 0x0, 0, 1500);
  RUN("c1c-a-r1169") client_1rtt_case("c1c-a-r1169", D8, S8, SS8, 1, 1, 0x1234, 1169, 1500);
  RUN("c1c-a-r1170") client_1rtt_case("c1c-a-r1170", D8, S8, SS8, 1, 1, 0x1234, 1170, 1500);
  RUN("c1c-t-dest30") client_1rtt_case("c1c-t-dest30", D8, S8, SS8, 1, 0, 0x0, 0, 30);
  RUN("c1c-t-dest29") client_1rtt_case("c1c-t-dest29", D8, S8, SS8, 1, 0, 0x0, 0, 29);
  RUN("c1c-t-d0") client_1rtt_case("c1c-t-d0", D8, S8, "", 1, 0, 0x0, 0, 1500);
  RUN("c1c-a-d0") client_1rtt_case("c1c-a-d0", D8, S8, "", 1, 1, 0x0, 0, 1500);
  RUN("c1c-t-d20") client_1rtt_case("c1c-t-d20", D8, S8, D20, 1, 0, 0x0, 0, 1500);
  RUN("c1c-t-d20-r11") client_1rtt_case("c1c-t-d20-r11", D8, S8, D20, 1, 0, 0xa, 11, 1500);
  RUN("c1c-t-d8-s20") client_1rtt_case("c1c-t-d8-s20", D8, D20, SS8, 1, 0, 0x0, 0, 1500);
  RUN("c1c-t-d0-s20") client_1rtt_case("c1c-t-d0-s20", D8, D20, "", 1, 0, 0x0, 0, 1500);
  RUN("c1c-t-d20-s0") client_1rtt_case("c1c-t-d20-s0", D8, "", D20, 1, 0, 0x0, 0, 1500);
  /* after a key update (RFC 9001 §6): a confirmed client that read the server's first packet with updated keys (key
     phase 1) closes, and a server that read the client's */
  key_update = 1;
  RUN("kus-c-t") client_1rtt_case("kus-c-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kus-c-a") client_1rtt_case("kus-c-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  RUN("kus-c-t-r0") client_1rtt_case("kus-c-t-r0", D8, S8, SS8, 1, 0, 0x0, 0, 1500);
  RUN("kus-c-a-r0") client_1rtt_case("kus-c-a-r0", D8, S8, SS8, 1, 1, 0x0, 0, 1500);
  RUN("kus-c-t-d20") client_1rtt_case("kus-c-t-d20", D8, S8, D20, 1, 0, 0xa, 11, 1500);
  RUN("kus-c-t-dest30") client_1rtt_case("kus-c-t-dest30", D8, S8, SS8, 1, 0, 0x0, 0, 30);
  key_update = 2;
  RUN("kuc-s-t") client_1rtt_case("kuc-s-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kuc-s-a") client_1rtt_case("kuc-s-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  RUN("kuc-s-t-r0") client_1rtt_case("kuc-s-t-r0", D8, S8, SS8, 1, 0, 0x0, 0, 1500);
  RUN("kuc-s-a-r0") client_1rtt_case("kuc-s-a-r0", D8, S8, SS8, 1, 1, 0x0, 0, 1500);
  RUN("kuc-s-t-d20") client_1rtt_case("kuc-s-t-d20", D8, D20, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kuc-s-t-dest30") client_1rtt_case("kuc-s-t-dest30", D8, S8, SS8, 1, 0, 0x0, 0, 30);
  /* last, so that the random draws of the cases above stay as they were: the peer answers the update (its ACK,
     kuack) before it closes; or the initiator reads that answer too, which confirms its update, and updates its keys
     once more (key phase 0 with the generation after next), and the peer closes after reading that packet */
  ku_steps = 1;
  key_update = 1;
  RUN("kusa-c-t") client_1rtt_case("kusa-c-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kusa-c-a") client_1rtt_case("kusa-c-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  key_update = 2;
  RUN("kuca-s-t") client_1rtt_case("kuca-s-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kuca-s-a") client_1rtt_case("kuca-s-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  ku_steps = 2;
  key_update = 1;
  RUN("kus2-c-t") client_1rtt_case("kus2-c-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kus2-c-a") client_1rtt_case("kus2-c-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  RUN("kus2-c-t-d20") client_1rtt_case("kus2-c-t-d20", D8, S8, D20, 1, 0, 0xa, 11, 1500);
  RUN("kus2-c-t-dest30") client_1rtt_case("kus2-c-t-dest30", D8, S8, SS8, 1, 0, 0x0, 0, 30);
  key_update = 2;
  RUN("kuc2-s-t") client_1rtt_case("kuc2-s-t", D8, S8, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kuc2-s-a") client_1rtt_case("kuc2-s-a", D8, S8, SS8, 1, 1, 0x1234, 11, 1500);
  RUN("kuc2-s-t-d20") client_1rtt_case("kuc2-s-t-d20", D8, D20, SS8, 1, 0, 0xa, 11, 1500);
  RUN("kuc2-s-t-dest30") client_1rtt_case("kuc2-s-t-dest30", D8, S8, SS8, 1, 0, 0x0, 0, 30);
  ku_steps = 0;
  key_update = 0;
  /* last, so that the random draws of the cases above stay as they were: the peer's erroneous or hostile packets,
     sealed by hand, read by a confirmed server (hx-s-*, from the client) or client (hx-c-*, from the server), then
     the close libngtcp2 writes after read_pkt's error (RFC 9000 §12.4, §19, §13.1, §17.3.1), or nothing once the
     peer's CONNECTION_CLOSE made it drain (§10.2.2) */
  RUN("hx-s-unknown") hostile_1rtt_case("hx-s-unknown", 1, "1f", 0);
  RUN("hx-s-stream-trunc") hostile_1rtt_case("hx-s-stream-trunc", 1, "0a020561", 0);
  RUN("hx-s-ack-ranges") hostile_1rtt_case("hx-s-ack-ranges", 1, "0200000500", 0);
  RUN("hx-s-ack-unsent") hostile_1rtt_case("hx-s-ack-unsent", 1, "0205000000", 0);
  RUN("hx-s-hsdone") hostile_1rtt_case("hx-s-hsdone", 1, "1e", 0);
  RUN("hx-s-newtoken") hostile_1rtt_case("hx-s-newtoken", 1, "0701aa", 0);
  RUN("hx-s-stream-localbidi") hostile_1rtt_case("hx-s-stream-localbidi", 1, "080161", 0);
  RUN("hx-s-stream-senduni") hostile_1rtt_case("hx-s-stream-senduni", 1, "080361", 0);
  RUN("hx-s-stream-limit") hostile_1rtt_case("hx-s-stream-limit", 1, "080e61", 0);
  RUN("hx-s-stream-flow") hostile_1rtt_case("hx-s-stream-flow", 1, "0c028004000061", 0);
  RUN("hx-s-reserved") hostile_1rtt_case("hx-s-reserved", 1, "01", 3);
  RUN("hx-s-close") hostile_1rtt_case("hx-s-close", 1, "1c080603616263", 0);
  RUN("hx-s-appclose") hostile_1rtt_case("hx-s-appclose", 1, "1d523403616263", 0);
  RUN("hx-c-unknown") hostile_1rtt_case("hx-c-unknown", 0, "1f", 0);
  RUN("hx-c-stream-trunc") hostile_1rtt_case("hx-c-stream-trunc", 0, "0a030561", 0);
  RUN("hx-c-ack-ranges") hostile_1rtt_case("hx-c-ack-ranges", 0, "0200000500", 0);
  RUN("hx-c-ack-unsent") hostile_1rtt_case("hx-c-ack-unsent", 0, "0205000000", 0);
  RUN("hx-c-stream-localbidi") hostile_1rtt_case("hx-c-stream-localbidi", 0, "080061", 0);
  RUN("hx-c-stream-senduni") hostile_1rtt_case("hx-c-stream-senduni", 0, "080261", 0);
  RUN("hx-c-stream-limit") hostile_1rtt_case("hx-c-stream-limit", 0, "080f61", 0);
  RUN("hx-c-stream-flow") hostile_1rtt_case("hx-c-stream-flow", 0, "0c038004000061", 0);
  RUN("hx-c-reserved") hostile_1rtt_case("hx-c-reserved", 0, "01", 3);
  RUN("hx-c-close") hostile_1rtt_case("hx-c-close", 0, "1c080603616263", 0);
  RUN("hx-c-appclose") hostile_1rtt_case("hx-c-appclose", 0, "1d523403616263", 0);
  /* the same during the handshake, in Initial packets (Table 3 of RFC 9000 §12.4: no STREAM, no 0x1d there) */
  RUN("hx-si-close") hostile_initial_case("hx-si-close", 1, 0, "1c080603616263");
  RUN("hx-si-appclose") hostile_initial_case("hx-si-appclose", 1, 0, "1d523403616263");
  RUN("hx-si-stream") hostile_initial_case("hx-si-stream", 1, 0, "080261");
  RUN("hx-si1-stream") hostile_initial_case("hx-si1-stream", 1, 1, "080261");
  RUN("hx-ci-close") hostile_initial_case("hx-ci-close", 0, 0, "1c080603616263");
  RUN("hx-ci-appclose") hostile_initial_case("hx-ci-appclose", 0, 0, "1d523403616263");
  RUN("hx-ci-stream") hostile_initial_case("hx-ci-stream", 0, 0, "080361");
  /* the RTT estimate and the PTO: a libngtcp2 client or server measured against a hand-sealed peer, whose transport
     parameters carry the default ack_delay_exponent and max_ack_delay (3, 25 ms) or others (6, 32 ms) */
  RUN("rtt-c") rtt_case("rtt-c", 0, 3, 25);
  RUN("rtt-c-exp6") rtt_case("rtt-c-exp6", 0, 6, 32);
  RUN("rtt-s") rtt_case("rtt-s", 1, 3, 25);
  RUN("rtt-s-exp6") rtt_case("rtt-s-exp6", 1, 6, 32);
  /* last, so that the random draws of the cases above stay as they were: a stateless reset (RFC 9000 §10.3) to a
     confirmed client (sr-c-*) or server (sr-s-*), of 21 bytes (the smallest: 2 fixed bits, 38 unpredictable ones and
     the token), 20 (one short), 42 and 1200; in a long header, whose Length covers the datagram or runs past it; with
     the token's last bit inverted; with the token of a connection ID issued but not in use (§10.3.1: not checked) */
  RUN("sr-c-21") reset_case("sr-c-21", 0, 0, 0, 21);
  RUN("sr-c-20") reset_case("sr-c-20", 0, 0, 0, 20);
  RUN("sr-c-42") reset_case("sr-c-42", 0, 0, 0, 42);
  RUN("sr-c-1200") reset_case("sr-c-1200", 0, 0, 0, 1200);
  RUN("sr-c-long") reset_case("sr-c-long", 0, 1, 0, 60);
  RUN("sr-c-longtrunc") reset_case("sr-c-longtrunc", 0, 2, 0, 60);
  RUN("sr-c-flipped") reset_case("sr-c-flipped", 0, 0, 1, 42);
  RUN("sr-c-unused") reset_case("sr-c-unused", 0, 0, 2, 42);
  RUN("sr-s-21") reset_case("sr-s-21", 1, 0, 0, 21);
  RUN("sr-s-20") reset_case("sr-s-20", 1, 0, 0, 20);
  RUN("sr-s-42") reset_case("sr-s-42", 1, 0, 0, 42);
  RUN("sr-s-1200") reset_case("sr-s-1200", 1, 0, 0, 1200);
  RUN("sr-s-long") reset_case("sr-s-long", 1, 1, 0, 60);
  RUN("sr-s-longtrunc") reset_case("sr-s-longtrunc", 1, 2, 0, 60);
  RUN("sr-s-flipped") reset_case("sr-s-flipped", 1, 0, 1, 42);
  RUN("sr-s-unused") reset_case("sr-s-unused", 1, 0, 2, 42);
  /* Version Negotiation to a client that sent its first Initial (RFC 9000 §6.2, §17.2.1): not listing its version
     (RFC 9369's v2 and a reserved one), listing it, not echoing its connection IDs, after the server's Initial */
  {
    static const uint32_t others[] = {0x6b3343cf, 0x1a2a3a4a}, own[] = {0x1a2a3a4a, NGTCP2_PROTO_VER_V1};
    RUN("vn-c") vn_case("vn-c", 0, S8, D8, others, 2, 0);
    RUN("vn-c-own") vn_case("vn-c-own", 0, S8, D8, own, 2, 0);
    RUN("vn-c-dcid") vn_case("vn-c-dcid", 0, "0102030405060709", D8, others, 2, 0);
    RUN("vn-c-scid") vn_case("vn-c-scid", 0, S8, "8394c8f03e515709", others, 2, 0);
    RUN("vn-c-afterinitial") vn_case("vn-c-afterinitial", 1, S8, D8, others, 2, 0);
    /* no version at all; a list whose length is not a multiple of 4 (the second version cut to 2 bytes) */
    RUN("vn-c-empty") vn_case("vn-c-empty", 0, S8, D8, others, 0, 0);
    RUN("vn-c-ragged") vn_case("vn-c-ragged", 0, S8, D8, others, 2, 2);
  }
  /* Retry to a client that sent its first Initial (RFC 9000 §17.2.5, RFC 9001 §5.8): a bad integrity tag, its SCID
     the client's first DCID, an empty token, a second Retry after a valid one, a Retry after the server's Initial */
  RUN("rx-c-badtag") retry_case("rx-c-badtag", 0, S8, RSCID, D8, RTOK, 1);
  RUN("rx-c-odcid") retry_case("rx-c-odcid", 0, S8, D8, D8, RTOK, 0);
  RUN("rx-c-notoken") retry_case("rx-c-notoken", 0, S8, RSCID, D8, "", 0);
  RUN("rx-c-second") retry_case("rx-c-second", 2, S8, "b1b2b3b4b5b6b7b8", RSCID, "7575757575757575", 0);
  RUN("rx-c-afterinitial") retry_case("rx-c-afterinitial", 1, S8, RSCID, D8, RTOK, 0);
  /* to a DCID that is not the client's SCID (its tag valid for it) */
  RUN("rx-c-dcid") retry_case("rx-c-dcid", 0, "0102030405060709", RSCID, D8, RTOK, 0);
  /* closing (cl-*: the reader wrote its close) and draining (dr-*: it read the peer's), close-spec E11-E13: the
     peer's next 1-RTT packet, its CONNECTION_CLOSE, an empty datagram, garbage */
  RUN("cl-s-ping") closed_case("cl-s-ping", 1, 0, 0);
  RUN("cl-s-close") closed_case("cl-s-close", 1, 0, 1);
  RUN("cl-s-empty") closed_case("cl-s-empty", 1, 0, 2);
  RUN("cl-s-garbage") closed_case("cl-s-garbage", 1, 0, 3);
  RUN("cl-c-ping") closed_case("cl-c-ping", 0, 0, 0);
  RUN("cl-c-close") closed_case("cl-c-close", 0, 0, 1);
  RUN("cl-c-empty") closed_case("cl-c-empty", 0, 0, 2);
  RUN("cl-c-garbage") closed_case("cl-c-garbage", 0, 0, 3);
  RUN("dr-s-ping") closed_case("dr-s-ping", 1, 1, 0);
  RUN("dr-s-empty") closed_case("dr-s-empty", 1, 1, 2);
  RUN("dr-c-ping") closed_case("dr-c-ping", 0, 1, 0);
  RUN("dr-c-empty") closed_case("dr-c-empty", 0, 1, 2);
  /* the peer's transport parameters, one thing wrong each (RFC 9000 §7.3, §7.4, §18.2), to a server (tp-s-*: the
     client's, which name its SCID S8 as initial_source_connection_id) or a client (tp-c-*: the server's, which name
     D8 and SS8), then the close with the code of what the decode returned */
  {
#define TP_S "0f08" S8
#define TP_C "0008" D8 "0f08" SS8
#define PA "0d31" "7f000001" "01bb" "00000000000000000000000000000001" "01bb" "08" NCID NCID_TOKEN
    static const char *const tps[][2] = {
      {"tp-s-ok", TP_S}, {"tp-s-udp1199", TP_S "030244af"}, {"tp-s-exp21", TP_S "0a0115"},
      {"tp-s-mad16384", TP_S "0b0480004000"}, {"tp-s-cidlimit1", TP_S "0e0101"}, {"tp-s-odcid", TP_S "0008" D8},
      {"tp-s-srt", TP_S "0210" RESET_TOKEN}, {"tp-s-pa", TP_S PA}, {"tp-s-rscid", TP_S "1008" RSCID},
      {"tp-s-noiscid", "0e0102"}, {"tp-s-iscid", "0f08" SS8}, {"tp-s-dup", TP_S "0e01020e0103"},
      {"tp-s-trunc", TP_S "0e0502"}, {"tp-s-unknown", TP_S "1b02abcd"}, {"tp-s-idlemax", TP_S "0108ffffffffffffffff"},
      {"tp-s-idle9", TP_S "0109ffffffffffffffff00"},
      {"tp-c-ok", TP_C}, {"tp-c-odcid", "0008" S8 "0f08" SS8}, {"tp-c-noodcid", "0f08" SS8},
      {"tp-c-iscid", "0008" D8 "0f08" S8}, {"tp-c-noiscid", "0008" D8}, {"tp-c-rscid", TP_C "1008" RSCID},
      {"tp-c-udp1199", TP_C "030244af"}, {"tp-c-cidlimit1", TP_C "0e0101"}, {"tp-c-dup", TP_C "0e01020e0103"},
      {"tp-c-trunc", TP_C "0e0502"}, {"tp-c-unknown", TP_C "1b02abcd"}};
    for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); ++i) {
      RUN(tps[i][0]) tp_case(tps[i][0], tps[i][0][3] == 's', tps[i][1]);
    }
#undef TP_S
#undef TP_C
#undef PA
  }
  /* coalesced packets (RFC 9000 §12.2) to a server during the handshake: the second to another DCID, the second
     failing authentication, Initial + Handshake + 1-RTT without those keys; a 1-RTT packet with bytes after it */
  RUN("co-dcid") coalesced_case("co-dcid", 0);
  RUN("co-auth") coalesced_case("co-auth", 1);
  RUN("co-levels") coalesced_case("co-levels", 2);
  RUN("tr-s-1rtt") trailing_case("tr-s-1rtt", 1, 10);
  RUN("tr-c-1rtt") trailing_case("tr-c-1rtt", 0, 10);
  /* a server's first contact: a client Initial in 1199 and 1200 bytes, with DCIDs of 7, 8, 20 and 21 bytes, and
     coalesced with a 0-RTT or Handshake packet or followed by 100 zero bytes */
  RUN("fc-1199") first_contact_case("fc-1199", D8, 0, 1199);
  RUN("fc-1200") first_contact_case("fc-1200", D8, 0, 1200);
  RUN("fc-d7") first_contact_case("fc-d7", "8394c8f03e5157", 0, 1200);
  RUN("fc-d20") first_contact_case("fc-d20", D20, 0, 1200);
  RUN("fc-d21") first_contact_case("fc-d21", D20 "44", 0, 1200);
  RUN("fc-0rtt") first_contact_case("fc-0rtt", D8, 1, 1200);
  RUN("fc-hs") first_contact_case("fc-hs", D8, 2, 1200);
  RUN("fc-junk") first_contact_case("fc-junk", D8, 3, 1200);
  /* the handshake levels (kind=hostilehs): a server that wrote its Initial + Handshake flight reads the client's
     first Handshake packet (ACK-only, CRYPTO, failing authentication; also after using up its amplification budget),
     a client that read that flight writes its first Handshake packet (ACKs, its Finished), then both close (RFC 9001
     §4.9.1: Initial keys discarded, RFC 9000 §8.1: the address validated) */
#define FIN_CRYPTO "060024" "040404040404040404040404040404040404040404040404040404040404040404040404"
  RUN("hs-s-ack") handshake_case("hs-s-ack", 1, 0, 2, "0200000000", 0, 0);
  RUN("hs-s-crypto") handshake_case("hs-s-crypto", 1, 0, 2, FIN_CRYPTO, 0, 0);
  RUN("hs-s-auth") handshake_case("hs-s-auth", 1, 0, 2, "0200000000", 0, 1);
  RUN("hs-s-fill") handshake_case("hs-s-fill", 1, 1, 2, "", 0, 0);
  RUN("hs-s-fill-ack") handshake_case("hs-s-fill-ack", 1, 1, 2, "0200000000", 0, 0);
  RUN("hs-s-fill-auth") handshake_case("hs-s-fill-auth", 1, 1, 2, "0200000000", 0, 1);
  RUN("hs-c-ack") handshake_case("hs-c-ack", 0, 1, 2, "", 0, 0);
  RUN("hs-c-fin") handshake_case("hs-c-fin", 0, 2, 2, "", 0, 0);
  /* protocol errors in a Handshake packet (RFC 9000 §12.4, Table 3; close-spec E14), to a server and to a client */
  RUN("hs-s-close") handshake_case("hs-s-close", 1, 0, 2, "1c080603616263", 0, 0);
  RUN("hs-s-appclose") handshake_case("hs-s-appclose", 1, 0, 2, "1d523403616263", 0, 0);
  RUN("hs-s-stream") handshake_case("hs-s-stream", 1, 0, 2, "080261", 0, 0);
  RUN("hs-s-hsdone") handshake_case("hs-s-hsdone", 1, 0, 2, "1e0000", 0, 0);
  RUN("hs-s-ack-unsent") handshake_case("hs-s-ack-unsent", 1, 0, 2, "0205000000", 0, 0);
  RUN("hs-s-reserved") handshake_case("hs-s-reserved", 1, 0, 2, "010000", 3, 0);
  RUN("hs-c-close") handshake_case("hs-c-close", 0, 0, 2, "1c080603616263", 0, 0);
  RUN("hs-c-appclose") handshake_case("hs-c-appclose", 0, 0, 2, "1d523403616263", 0, 0);
  RUN("hs-c-stream") handshake_case("hs-c-stream", 0, 0, 2, "080361", 0, 0);
  RUN("hs-c-hsdone") handshake_case("hs-c-hsdone", 0, 0, 2, "1e0000", 0, 0);
  RUN("hs-c-ack-unsent") handshake_case("hs-c-ack-unsent", 0, 0, 2, "0205000000", 0, 0);
  RUN("hs-c-reserved") handshake_case("hs-c-reserved", 0, 0, 2, "010000", 3, 0);
  /* CRYPTO data at a level the handshake moved past (RFC 9001 §4.1.3): Initial CRYPTO data repeated and extending
     past the end of what was received, to a client holding Handshake keys and to a server holding its Handshake rx
     key; and Handshake CRYPTO data 64 KiB beyond what was received (CRYPTO_BUFFER_EXCEEDED, RFC 9000 §7.5) */
  RUN("hs-c-initial-old") handshake_case("hs-c-initial-old", 0, 0, 0, "06000a02020202020202020202", 0, 0);
  RUN("hs-c-initial-new") handshake_case("hs-c-initial-new", 0, 0, 0, "06405a0a03030303030303030303", 0, 0);
  RUN("hs-s-initial-old") handshake_case("hs-s-initial-old", 1, 0, 0, "06000a01010101010101010101", 0, 0);
  RUN("hs-s-initial-new") handshake_case("hs-s-initial-new", 1, 0, 0, "06412c0a05050505050505050505", 0, 0);
  RUN("hs-s-crypto-far") handshake_case("hs-s-crypto-far", 1, 0, 2, "0680010000" "0a" "05050505050505050505", 0, 0);
  RUN("hs-c-crypto-far") handshake_case("hs-c-crypto-far", 0, 0, 2, "068001005a" "0a" "05050505050505050505", 0, 0);
  /* connection-ID frames in 1-RTT (RFC 9000 §19.15, §19.16, §5.1.1-5.1.2). The server holds the client's CID of
     sequence number 0 alone and issued 0 and 1; the client holds the server's 0 and 1 (its NEW_CONNECTION_ID in
     sdone) and issued 0; both allow 2 (active_connection_id_limit). NEW_CONNECTION_ID (NEW_CID: CID a1..a8): new,
     retiring the DCID in use (Retire Prior To 1, to a client also 2), Retire Prior To above the Sequence Number, CID
     length 0 or 21, beyond the limit, the CID in use with another sequence number, the same frame twice;
     RETIRE_CONNECTION_ID of a sequence number never issued and of the packet's own DCID (0) */
#define NCID_TOK "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define NEW_CID(seq, rpt) "18" seq rpt "08" "a1a2a3a4a5a6a7a8" NCID_TOK
#define CID21 "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5"
  RUN("hx-s-ncid-new") hostile_1rtt_case("hx-s-ncid-new", 1, NEW_CID("01", "00"), 0);
  RUN("hx-s-ncid-retire") hostile_1rtt_case("hx-s-ncid-retire", 1, NEW_CID("01", "01"), 0);
  RUN("hx-s-ncid-rpt") hostile_1rtt_case("hx-s-ncid-rpt", 1, NEW_CID("01", "02"), 0);
  RUN("hx-s-ncid-len0") hostile_1rtt_case("hx-s-ncid-len0", 1, "18010000" NCID_TOK, 0);
  RUN("hx-s-ncid-len21") hostile_1rtt_case("hx-s-ncid-len21", 1, "18010015" CID21 NCID_TOK, 0);
  RUN("hx-s-ncid-limit") hostile_1rtt_case("hx-s-ncid-limit", 1,
                                       NEW_CID("01", "00") "18020008" "d1d2d3d4d5d6d7d8" NCID_TOK, 0);
  RUN("hx-s-ncid-inuse") hostile_1rtt_case("hx-s-ncid-inuse", 1, "18010008" S8 NCID_TOK, 0);
  RUN("hx-s-ncid-twice") hostile_1rtt_case("hx-s-ncid-twice", 1, NEW_CID("01", "00") NEW_CID("01", "00"), 0);
  RUN("hx-s-rcid-unissued") hostile_1rtt_case("hx-s-rcid-unissued", 1, "1902", 0);
  RUN("hx-s-rcid-self") hostile_1rtt_case("hx-s-rcid-self", 1, "1900", 0);
  RUN("hx-c-ncid-retire") hostile_1rtt_case("hx-c-ncid-retire", 0, NEW_CID("02", "01"), 0);
  RUN("hx-c-ncid-retire2") hostile_1rtt_case("hx-c-ncid-retire2", 0, NEW_CID("02", "02"), 0);
  RUN("hx-c-ncid-rpt") hostile_1rtt_case("hx-c-ncid-rpt", 0, NEW_CID("02", "03"), 0);
  RUN("hx-c-ncid-len0") hostile_1rtt_case("hx-c-ncid-len0", 0, "18020100" NCID_TOK, 0);
  RUN("hx-c-ncid-len21") hostile_1rtt_case("hx-c-ncid-len21", 0, "18020115" CID21 NCID_TOK, 0);
  RUN("hx-c-ncid-limit") hostile_1rtt_case("hx-c-ncid-limit", 0, NEW_CID("02", "00"), 0);
  RUN("hx-c-ncid-inuse") hostile_1rtt_case("hx-c-ncid-inuse", 0, "18020108" SS8 NCID_TOK, 0);
  RUN("hx-c-ncid-twice") hostile_1rtt_case("hx-c-ncid-twice", 0, NEW_CID("02", "01") NEW_CID("02", "01"), 0);
  RUN("hx-c-rcid-unissued") hostile_1rtt_case("hx-c-rcid-unissued", 0, "1901", 0);
  RUN("hx-c-rcid-self") hostile_1rtt_case("hx-c-rcid-self", 0, "1900", 0);
#undef NEW_CID
#undef NCID_TOK
#undef CID21
  /* stream-level frames in 1-RTT (RFC 9000 §19.4-19.14, §4.5), on the peer's first unidirectional stream (2 from
     the client, 3 from the server; no bidirectional streams are allowed): RESET_STREAM below the data received or
     changing a known final size, STREAM past a final size, STOP_SENDING and MAX_STREAM_DATA for that receive-only
     stream, MAX_STREAMS and STREAMS_BLOCKED above 2^60, DATA_BLOCKED and STREAM_DATA_BLOCKED, an empty NEW_TOKEN to
     a client, a PATH_RESPONSE never challenged, PADDING alone, PING */
  {
    /* name suffix, frames (each %s the stream: 02 to a server, 03 to a client), to a client only */
    static const struct {
      const char *name, *frames;
      int client_only;
    } sf[] = {{"rs-below", "0a%s0461626364" "04%s0002", 0}, {"rs-change", "0b%s0461626364" "04%s0005", 0},
              {"stream-past-fin", "0b%s026162" "0e%s02026364", 0}, {"ss-recvonly", "05%s00", 0},
              {"msd-recvonly", "11%s4400", 0}, {"ms-big", "12d000000000000001", 0},
              {"sb-big", "16d000000000000001", 0}, {"db", "1400", 0}, {"sdb", "15%s00", 0},
              {"newtoken-empty", "0700", 1}, {"pathresp", "1b0102030405060708", 0}, {"padding", "00", 0},
              {"ping", "01", 0}};
    for (int to_server = 1; to_server >= 0; --to_server) {
      const char *sid = to_server ? "02" : "03";
      for (size_t i = 0; i < sizeof(sf) / sizeof(sf[0]); ++i) {
        char name[64], frames[64];
        if (sf[i].client_only && to_server) {
          continue;
        }
        snprintf(name, sizeof(name), "hx-%c-%s", to_server ? 's' : 'c', sf[i].name);
        snprintf(frames, sizeof(frames), sf[i].frames, sid, sid);
        RUN(name) hostile_1rtt_case(name, to_server, frames, 0);
      }
    }
  }
#undef FIN_CRYPTO
  return 0;
}
