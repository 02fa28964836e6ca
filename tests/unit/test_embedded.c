/*
 * test_embedded.c — starts real throwaway clusters (embedded.c) and checks
 * them from the outside: libpq connections, /proc, the file system.
 *
 * Every test runs with TMPDIR set to a private directory, which must be
 * empty again when the test ends (nothing left behind).  Under root the
 * server must run as an unprivileged user.
 */
#include <dirent.h>
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "embedded.h"

static char test_tmpdir[64];

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                 */

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    int entries = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL)
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
            entries++;
    closedir(d);
    return entries == 0;
}

static bool path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* True while pid is a live process (not a zombie). */
static bool process_alive(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z';
}

/* The real uid of pid, from /proc/<pid>/status. */
static long process_uid(pid_t pid)
{
    char path[64], line[256];
    long uid = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Uid: %ld", &uid) == 1)
            break;
    fclose(f);
    return uid;
}

/* The postmaster's pid, from the first line of <datadir>/postmaster.pid. */
static pid_t postmaster_pid(const char *datadir)
{
    char path[512];
    long pid = 0;
    snprintf(path, sizeof path, "%s/postmaster.pid", datadir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    return (pid_t)pid;
}

static PGconn *connect_to(const char *host, int port)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *const keys[] = { "host", "port", "user", "dbname", NULL };
    const char *const values[] = { host, port_text, "stormdb", "stormdb", NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 0);
    assert_non_null(conn);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("connect to %s port %d: %s", host, port, PQerrorMessage(conn));
    return conn;
}

static PGconn *connect_embedded(const sdb_embedded *e)
{
    return connect_to(sdb_embedded_socket_dir(e), sdb_embedded_port(e));
}

/* Runs sql, which must return one row, and copies its first value into buf. */
static void query_value(PGconn *conn, const char *sql, char *buf, size_t len)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* Asserts that we have no child process left (running or unreaped). */
static void assert_no_children(void)
{
    int status;
    errno = 0;
    assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Asserts that a start failed with a one-line message containing expected
 * and left no directory and no process behind. */
static void assert_failed_cleanly(const sdb_embedded *e, const char *err, const char *expected)
{
    assert_null(e);
    if (!strstr(err, expected))
        fail_msg("message \"%s\" lacks \"%s\"", err, expected);
    assert_null(strchr(err, '\n'));
    assert_true(dir_is_empty(test_tmpdir));
    assert_no_children();
}

/* Calls sdb_embedded_stop(e, true) with stderr captured into out. */
static void stop_keep_capturing_stderr(sdb_embedded *e, char *out, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", test_tmpdir);
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    sdb_embedded_stop(e, true);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, out, len - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

/* Removes a cluster directory left behind on purpose. */
static void remove_left_dir(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", path);
    assert_int_equal(system(cmd), 0);
    assert_false(path_exists(path));
}

/* Stops a kept server (our child) and removes its directory. */
static void stop_kept_server(pid_t pid, const char *tmpdir)
{
    assert_int_equal(kill(pid, SIGINT), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    remove_left_dir(tmpdir);
}

/* ---------------------------------------------------------------------- */
/* Fixtures.                                                                */

static int group_setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(test_tmpdir, sizeof test_tmpdir, "%s/stormdb-test-XXXXXX",
             base && *base && strlen(base) < 24 ? base : "/tmp");
    if (!mkdtemp(test_tmpdir))
        return -1;
    /* under root the server's user must be able to traverse it */
    if (chmod(test_tmpdir, 0711) != 0 || setenv("TMPDIR", test_tmpdir, 1) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return rmdir(test_tmpdir);
}

/* ---------------------------------------------------------------------- */
/* Tests.                                                                   */

static void test_start_query_stop(void **state)
{
    (void)state;
    const char *settings[] = { "work_mem=7MB", NULL };
    sdb_embedded_opts o = { .settings = settings };
    char err[1024] = "";
    sdb_embedded *e = sdb_embedded_start(&o, err, sizeof err);
    if (!e)
        fail_msg("start: %s", err);
    assert_string_equal(sdb_embedded_user(e), "stormdb");
    assert_string_equal(sdb_embedded_dbname(e), "stormdb");
    assert_true(strncmp(sdb_embedded_socket_dir(e), test_tmpdir, strlen(test_tmpdir)) == 0);

    PGconn *conn = connect_embedded(e);
    char value[512];
    query_value(conn, "SELECT 1", value, sizeof value);
    assert_string_equal(value, "1");
    query_value(conn, "SHOW data_directory", value, sizeof value);
    assert_string_equal(value, sdb_embedded_datadir(e));
    query_value(conn, "SHOW work_mem", value, sizeof value);
    assert_string_equal(value, "7MB");
    query_value(conn, "SHOW listen_addresses", value, sizeof value);
    assert_string_equal(value, "");
    query_value(conn, "SELECT current_user || '/' || current_database()", value, sizeof value);
    assert_string_equal(value, "stormdb/stormdb");

    /* the server runs as us, or as an unprivileged user when we are root */
    query_value(conn, "SELECT pg_backend_pid()", value, sizeof value);
    long backend_uid = process_uid((pid_t)atol(value));
    pid_t pm = postmaster_pid(sdb_embedded_datadir(e));
    struct stat st;
    assert_int_equal(stat(sdb_embedded_datadir(e), &st), 0);
    if (geteuid() == 0) {
        assert_true(backend_uid > 0);
        assert_true(process_uid(pm) > 0);
        assert_true(st.st_uid != 0);
    } else {
        assert_int_equal(backend_uid, (long)geteuid());
        assert_int_equal(st.st_uid, geteuid());
    }
    /* in its own session: a terminal's Ctrl-C does not reach it */
    assert_int_equal(getsid(pm), pm);
    PQfinish(conn);

    char tmpdir[256];
    snprintf(tmpdir, sizeof tmpdir, "%s", sdb_embedded_socket_dir(e));
    assert_true(path_exists(tmpdir));
    sdb_embedded_stop(e, false);
    assert_false(path_exists(tmpdir));
    assert_int_equal(kill(pm, 0), -1);
    assert_int_equal(errno, ESRCH);
    assert_true(dir_is_empty(test_tmpdir));
    assert_no_children();
}

static void test_two_clusters_at_once(void **state)
{
    (void)state;
    char err[1024] = "";
    sdb_embedded *a = sdb_embedded_start(NULL, err, sizeof err);
    if (!a)
        fail_msg("start a: %s", err);
    sdb_embedded *b = sdb_embedded_start(NULL, err, sizeof err);
    if (!b)
        fail_msg("start b: %s", err);
    assert_int_not_equal(sdb_embedded_port(a), sdb_embedded_port(b));
    assert_string_not_equal(sdb_embedded_socket_dir(a), sdb_embedded_socket_dir(b));
    char value[64];
    PGconn *ca = connect_embedded(a), *cb = connect_embedded(b);
    query_value(ca, "CREATE TABLE only_in_a (x int); SELECT 1", value, sizeof value);
    query_value(cb, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'", value,
                sizeof value);
    assert_string_equal(value, "0");
    PQfinish(ca);
    PQfinish(cb);
    sdb_embedded_stop(a, false);
    sdb_embedded_stop(b, false);
    assert_true(dir_is_empty(test_tmpdir));
    assert_no_children();
}

static void test_cancel_before_start(void **state)
{
    (void)state;
    atomic_int cancel = 1;
    sdb_embedded_opts o = { .cancel = &cancel };
    char err[1024] = "";
    assert_failed_cleanly(sdb_embedded_start(&o, err, sizeof err), err, "cancelled");
}

static atomic_int alarm_cancel;
static atomic_int cancel_when_server_log;    /* else on the first tick */

/* True when a cluster directory in test_tmpdir holds server.log, i.e. the
 * postmaster has been started.  Raw system calls only: runs in a signal
 * handler. */
static bool server_log_exists(void)
{
    int dir = open(test_tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return false;
    char buf[4096];
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    bool found = false;
    for (long off = 0; off < n && !found;) {
        /* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name */
        unsigned short reclen;
        memcpy(&reclen, buf + off + 16, sizeof reclen);
        const char *name = buf + off + 19;
        char path[96];
        if (strncmp(name, "stormdb-embedded-", 17) == 0 && strlen(name) < 64) {
            strcpy(path, name);
            strcat(path, "/server.log");
            found = faccessat(dir, path, F_OK, 0) == 0;
        }
        off += reclen;
    }
    close(dir);
    return found;
}

static void on_alarm(int sig)
{
    (void)sig;
    int saved = errno;
    if (!cancel_when_server_log || server_log_exists())
        alarm_cancel = 1;
    errno = saved;
}

/* A flag raised by a signal handler while initdb runs, or once postgres has
 * been started, abandons the start and leaves nothing behind. */
static void test_cancel_during_start(void **state)
{
    (void)state;
    for (int when_server = 0; when_server <= 1; when_server++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGALRM, &sa, &old);
        alarm_cancel = 0;
        cancel_when_server_log = when_server;
        /* first tick at 100 ms (initdb takes longer), then every 5 ms */
        struct itimerval t = { { 0, 5000 }, { 0, 100000 } };
        setitimer(ITIMER_REAL, &t, NULL);
        sdb_embedded_opts o = { .cancel = &alarm_cancel };
        char err[1024] = "";
        sdb_embedded *e = sdb_embedded_start(&o, err, sizeof err);
        struct itimerval off = { { 0, 0 }, { 0, 0 } };
        setitimer(ITIMER_REAL, &off, NULL);
        sigaction(SIGALRM, &old, NULL);
        assert_failed_cleanly(e, err, "cancelled");
    }
}

static void test_bad_settings_fail_cleanly(void **state)
{
    (void)state;
    const char *not_pair[] = { "work_mem", NULL };
    sdb_embedded_opts o = { .settings = not_pair };
    char err[1024] = "";
    assert_failed_cleanly(sdb_embedded_start(&o, err, sizeof err), err,
                          "\"work_mem\" is not name=value");

    /* the server refuses it: the message carries the server log's tail */
    const char *unknown[] = { "no_such_parameter=1", NULL };
    o.settings = unknown;
    assert_failed_cleanly(sdb_embedded_start(&o, err, sizeof err), err,
                          "postgres exited during start-up");
    assert_non_null(strstr(err, "unrecognized configuration parameter \"no_such_parameter\""));
}

static void test_unknown_run_user(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    setenv("STORMDB_EMBEDDED_USER", "no-such-user-stormdb", 1);
    char err[1024] = "";
    sdb_embedded *e = sdb_embedded_start(NULL, err, sizeof err);
    unsetenv("STORMDB_EMBEDDED_USER");
    assert_failed_cleanly(e, err, "\"no-such-user-stormdb\" does not exist");
    assert_non_null(strstr(err, "set STORMDB_EMBEDDED_USER"));
}

/* Starts a cluster (keep given at start or not), stops it with keep, and
 * checks that the server still runs and answers where the message says. */
static void check_keep(bool keep_at_start)
{
    sdb_embedded_opts o = { .keep = keep_at_start };
    char err[1024] = "";
    sdb_embedded *e = sdb_embedded_start(&o, err, sizeof err);
    if (!e)
        fail_msg("start: %s", err);
    char tmpdir[256], datadir[256];
    snprintf(tmpdir, sizeof tmpdir, "%s", sdb_embedded_socket_dir(e));
    snprintf(datadir, sizeof datadir, "%s", sdb_embedded_datadir(e));

    char message[2048];
    stop_keep_capturing_stderr(e, message, sizeof message);
    pid_t pm = postmaster_pid(datadir);
    assert_true(process_alive(pm));
    char *connect_line = strstr(message, "psql -h ");
    assert_non_null(connect_line);
    int port = 0;
    char host[256];
    assert_int_equal(sscanf(connect_line, "psql -h %255s -p %d -U stormdb stormdb", host, &port),
                     2);
    assert_string_equal(host, tmpdir);
    assert_non_null(strstr(message, "pg_ctl -D "));
    assert_non_null(strstr(message, "rm -rf "));

    PGconn *conn = connect_to(host, port);
    char value[64];
    query_value(conn, "SELECT 1", value, sizeof value);
    assert_string_equal(value, "1");
    PQfinish(conn);

    stop_kept_server(pm, tmpdir);
    assert_true(dir_is_empty(test_tmpdir));
    assert_no_children();
}

static void test_keep_given_at_start(void **state)
{
    (void)state;
    check_keep(true);
}

static void test_keep_given_only_at_stop(void **state)
{
    (void)state;
    check_keep(false);
}

/* A process that dies without stopping its cluster takes the server with it
 * (PR_SET_PDEATHSIG); only the directory is left. */
static void test_server_dies_with_its_owner(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t owner = fork();
    assert_true(owner >= 0);
    if (owner == 0) {
        close(fds[0]);
        char err[1024];
        sdb_embedded *e = sdb_embedded_start(NULL, err, sizeof err);
        char line[600] = "";
        if (e)
            snprintf(line, sizeof line, "%ld %s", (long)postmaster_pid(sdb_embedded_datadir(e)),
                     sdb_embedded_socket_dir(e));
        ssize_t ignored = write(fds[1], line, strlen(line));
        (void)ignored;
        _exit(e ? 0 : 1);       /* without sdb_embedded_stop */
    }
    close(fds[1]);
    char line[600];
    ssize_t n = read(fds[0], line, sizeof line - 1);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(owner, &status, 0), owner);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(n > 0);
    line[n] = '\0';
    long pm = 0;
    char tmpdir[512];
    assert_int_equal(sscanf(line, "%ld %511s", &pm, tmpdir), 2);

    bool alive = true;
    for (int i = 0; i < 500 && alive; i++) {     /* up to 10 s */
        alive = process_alive((pid_t)pm);
        if (alive)
            nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
    }
    assert_false(alive);
    remove_left_dir(tmpdir);
    assert_true(dir_is_empty(test_tmpdir));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_query_stop),
        cmocka_unit_test(test_two_clusters_at_once),
        cmocka_unit_test(test_cancel_before_start),
        cmocka_unit_test(test_cancel_during_start),
        cmocka_unit_test(test_bad_settings_fail_cleanly),
        cmocka_unit_test(test_unknown_run_user),
        cmocka_unit_test(test_keep_given_at_start),
        cmocka_unit_test(test_keep_given_only_at_stop),
        cmocka_unit_test(test_server_dies_with_its_owner),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
