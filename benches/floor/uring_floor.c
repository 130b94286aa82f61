// The floor client of floor_client.c on io_uring instead of epoll: N connections to 127.0.0.1:PORT,
// LOGIN userNNNNN passNNNNN, SELECT INBOX, then NOOP back to back for SECONDS (one command in flight
// per connection, no parsing beyond finding the tagged line). Sends and receives go through one
// ring: one io_uring_enter per batch of completions instead of a send and a recv per command, so it
// shows what batching syscalls could save below the epoll floor (the network stack's work stays).
// Prints floor_client.c's line.  Build: cc -O2 -o uring_floor uring_floor.c -luring
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd, state; char buf[8192]; int len; char line[64]; } conn;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static struct io_uring ring;

static struct io_uring_sqe *sqe(void) {
  struct io_uring_sqe *s = io_uring_get_sqe(&ring);
  if (!s) { io_uring_submit(&ring); s = io_uring_get_sqe(&ring); }
  return s;
}

static void queue_recv(conn *c, int i) {
  struct io_uring_sqe *s = sqe();
  io_uring_prep_recv(s, c->fd, c->buf + c->len, sizeof c->buf - c->len - 1, 0);
  io_uring_sqe_set_data64(s, (unsigned long long)i << 1);
}

static void queue_send(conn *c, int i, const char *text) {
  struct io_uring_sqe *s = sqe();
  io_uring_prep_send(s, c->fd, text, strlen(text), 0);
  io_uring_sqe_set_data64(s, ((unsigned long long)i << 1) | 1);
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: %s N PORT SECONDS USERS\n", argv[0]); return 2; }
  int n = atoi(argv[1]), port = atoi(argv[2]); double secs = atof(argv[3]); int users = atoi(argv[4]);
  struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, .cq_entries = 16384};
  p.flags |= IORING_SETUP_CQSIZE;
  if (io_uring_queue_init_params(4096, &ring, &p) < 0) { perror("io_uring_queue_init"); return 1; }
  conn *c = calloc(n, sizeof(conn));
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)}; a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (void *)&a, sizeof a) < 0) { perror("connect"); return 1; }
    c[i].fd = fd; queue_recv(&c[i], i);
  }
  long cmds = 0; double t0 = 0, end = 0; int ready = 0; struct rusage r0, r1;
  for (;;) {
    if (io_uring_submit_and_wait(&ring, 1) < 0) { perror("io_uring_submit_and_wait"); return 1; }
    struct io_uring_cqe *cqe; unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      seen++;
      int i = cqe->user_data >> 1, res = cqe->res; conn *x = &c[i];
      if (cqe->user_data & 1) { if (res < 0) { fprintf(stderr, "send: %s\n", strerror(-res)); return 1; } continue; }
      if (res <= 0) { fprintf(stderr, "conn closed (%d)\n", res); return 1; }
      x->len += res; x->buf[x->len] = 0;
      char want = x->state == 0 ? '*' : x->state == 1 ? 'a' : x->state == 2 ? 'b' : 'c';
      char *q = x->buf; int done = 0;
      while (1) { char *e = strstr(q, "\r\n"); if (!e) break; if (q[0] == want && q[1] == ' ') done = 1; q = e + 2; }
      int rest = x->len - (q - x->buf); memmove(x->buf, q, rest); x->len = rest;
      if (!done) { queue_recv(x, i); continue; }
      if (x->state == 0) { int u = (i % users) + 1; snprintf(x->line, sizeof x->line, "a LOGIN user%05d pass%05d\r\n", u, u); queue_send(x, i, x->line); x->state = 1; }
      else if (x->state == 1) { queue_send(x, i, "b SELECT INBOX\r\n"); x->state = 2; }
      else if (x->state == 2) {
        x->state = 3;
        if (++ready == n) { t0 = now(); end = t0 + secs; getrusage(RUSAGE_SELF, &r0); for (int j = 0; j < n; j++) queue_send(&c[j], j, "c NOOP\r\n"); }
      } else { cmds++; if (now() < end) queue_send(x, i, "c NOOP\r\n"); else { x->state = 4; if (--ready == 0) goto out; continue; } }
      queue_recv(x, i);
    }
    io_uring_cq_advance(&ring, seen);
  }
out:
  getrusage(RUSAGE_SELF, &r1);
  double u = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6;
  double s = (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
  printf("commands %ld in %.2f s (%.0f/s) user %.3f sys %.3f us_per_cmd %.2f\n", cmds, now() - t0, cmds / (now() - t0), u, s, (u + s) * 1e6 / cmds);
  return 0;
}
