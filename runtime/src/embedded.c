/* embedded.c — see embedded.h. */
#include "embedded.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "conn.h"
#include "util.h"

#define EMB_SUPERUSER "stormdb"
#define EMB_DBNAME "stormdb"
#define EMB_DEFAULT_RUN_USER "nobody"
#define EMB_TMP_PATTERN "stormdb-embedded-XXXXXX"
#define EMB_SOCKET_NAME_MAX "/.s.PGSQL.65535"

/* Room for the temporary directory's path: the socket path inside it must
 * fit in sockaddr_un.sun_path (108 bytes), so 128 is plenty. */
#define EMB_DIR_MAX 128

#define POLL_MS 20
#define INITDB_TIMEOUT_MS 120000
#define READY_TIMEOUT_MS 60000
#define PORT_ATTEMPTS 5
#define FAST_SHUTDOWN_MS 10000      /* SIGINT, then */
#define IMMEDIATE_SHUTDOWN_MS 5000  /* SIGQUIT, then SIGKILL */
#define KILL_WAIT_MS 5000

/* Everything one cluster owns.  Touched only by the thread that started it. */
struct sdb_embedded {
    char bindir[PATH_MAX];
    char tmpdir[EMB_DIR_MAX];   /* our mkdtemp directory, also the socket dir; "" = none */
    char datadir[EMB_DIR_MAX + 8];  /* <tmpdir>/data */
    char port_text[8];          /* port, as text for argv and libpq */
    int port;                   /* only names the socket file: no TCP listener */
    pid_t postmaster;           /* our child; 0 = not running */
    bool detached;              /* started without PR_SET_PDEATHSIG (keep) */
    bool verbose;
    bool switch_user;           /* we are root: children run as run_uid/run_gid */
    uid_t run_uid;
    gid_t run_gid;
    char run_user[64];          /* who owns the server (for messages) */
    char **settings;            /* copies of opts->settings, NULL-terminated; may be NULL */
};

/* What a forked child reports through its close-on-exec pipe when a step
 * before execv fails (nothing arrives when execv succeeds). */
typedef struct child_failure {
    int step;                   /* index into child_step_names */
    int error;                  /* errno */
} child_failure;

enum { STEP_SETUP, STEP_SETGROUPS, STEP_SETGID, STEP_SETUID, STEP_PDEATHSIG, STEP_EXEC };
static const char *const child_step_names[] = {
    "redirecting its output", "setgroups", "setgid", "setuid", "prctl(PR_SET_PDEATHSIG)", "execv"
};

/* The file descriptors a child needs, opened by the parent before fork. */
typedef struct child_fds {
    int devnull;                /* becomes stdin */
    int log;                    /* becomes stdout and stderr */
    int report;                 /* write end of the failure pipe */
    int max_fd;                 /* close everything else below this */
} child_fds;

typedef enum child_state { CHILD_EXITED, CHILD_RUNNING, CHILD_CANCELLED } child_state;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_cancelled(atomic_int *cancel)
{
    return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);       /* an early wake-up (signal) only shortens a poll */
}

/* ---------------------------------------------------------------------- */
/* Finding the server binaries.                                             */

static bool has_server_binaries(const char *dir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/initdb", dir);
    if (access(path, X_OK) != 0)
        return false;
    snprintf(path, sizeof path, "%s/postgres", dir);
    return access(path, X_OK) == 0;
}

/* Asks `pg_config --bindir`; returns true with the directory in out when it
 * holds initdb and postgres. */
static bool bindir_from_pg_config(char *out, size_t outlen)
{
    FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
    if (!p)
        return false;
    bool ok = fgets(out, (int)outlen, p) != NULL;
    int status = pclose(p);
    if (!ok || status != 0)
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] == '/' && has_server_binaries(out);
}

/* Picks the highest-numbered /usr/lib/postgresql/<N>/bin holding initdb and
 * postgres; returns false when there is none. */
static bool bindir_from_debian_layout(char *out, size_t outlen)
{
    DIR *d = opendir("/usr/lib/postgresql");
    if (!d)
        return false;
    long best = -1;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        char *end;
        long version = strtol(ent->d_name, &end, 10);
        if (end == ent->d_name || *end != '\0' || version <= best)
            continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "/usr/lib/postgresql/%s/bin", ent->d_name);
        if (has_server_binaries(dir)) {
            best = version;
            snprintf(out, outlen, "%s", dir);
        }
    }
    closedir(d);
    return best >= 0;
}

static int find_bindir(sdb_embedded *e, char *err, size_t errlen)
{
    if (bindir_from_pg_config(e->bindir, sizeof e->bindir) ||
        bindir_from_debian_layout(e->bindir, sizeof e->bindir))
        return 0;
    set_err(err, errlen, "no initdb and postgres found (neither in "
            "`pg_config --bindir` nor in /usr/lib/postgresql/<version>/bin); install the "
            "PostgreSQL server (Debian/Ubuntu: apt-get install postgresql)");
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Who runs the server, and where.                                          */

/* As root, looks up the unprivileged user the server will run as
 * ($STORMDB_EMBEDDED_USER, else nobody); otherwise the server runs as us. */
static int resolve_run_user(sdb_embedded *e, char *err, size_t errlen)
{
    if (geteuid() != 0) {
        struct passwd *pw = getpwuid(geteuid());
        snprintf(e->run_user, sizeof e->run_user, "%s", pw ? pw->pw_name : "you");
        return 0;
    }
    const char *name = getenv("STORMDB_EMBEDDED_USER");
    if (!name || !*name)
        name = EMB_DEFAULT_RUN_USER;
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        set_err(err, errlen, "PostgreSQL refuses to run as root and "
                "user \"%s\" does not exist; set STORMDB_EMBEDDED_USER to an unprivileged "
                "user or run stormdb as a normal user", name);
        return -1;
    }
    if (pw->pw_uid == 0) {
        set_err(err, errlen, "user \"%s\" is root, and PostgreSQL "
                "refuses to run as root; set STORMDB_EMBEDDED_USER to an unprivileged user",
                name);
        return -1;
    }
    e->switch_user = true;
    e->run_uid = pw->pw_uid;
    e->run_gid = pw->pw_gid;
    snprintf(e->run_user, sizeof e->run_user, "%s", name);
    return 0;
}

/* Copies the NULL-terminated "name=value" list into e->settings. */
static int copy_settings(sdb_embedded *e, const char *const *settings,
                         char *err, size_t errlen)
{
    size_t n = 0;
    while (settings && settings[n]) {
        const char *eq = strchr(settings[n], '=');
        if (!eq || eq == settings[n]) {
            set_err(err, errlen, "server setting \"%s\" is not "
                    "name=value", settings[n]);
            return -1;
        }
        n++;
    }
    if (n == 0)
        return 0;
    e->settings = calloc(n + 1, sizeof *e->settings);
    for (size_t i = 0; e->settings && i < n; i++)
        if ((e->settings[i] = strdup(settings[i])) == NULL)
            break;
    if (!e->settings || !e->settings[n - 1]) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Creates <$TMPDIR or /tmp>/stormdb-embedded-XXXXXX, given to the run user
 * when we are root.  The directory stays 0700: with trust authentication,
 * only its owner (and root) may reach the socket. */
static int make_tmpdir(sdb_embedded *e, char *err, size_t errlen)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char path[EMB_DIR_MAX];
    int len = snprintf(path, sizeof path, "%s/%s", base, EMB_TMP_PATTERN);
    size_t sun_path_len = sizeof(((struct sockaddr_un *)NULL)->sun_path);
    if (len < 0 || (size_t)len + strlen(EMB_SOCKET_NAME_MAX) >= sun_path_len) {
        set_err(err, errlen, "TMPDIR \"%s\" is too long for a unix "
                "socket path (at most %zu bytes in all); set TMPDIR to a shorter directory "
                "such as /tmp", base, sun_path_len - 1);
        return -1;
    }
    if ((size_t)len >= sizeof path || !mkdtemp(path)) {
        set_err(err, errlen, "cannot create a directory in %s: %s; "
                "set TMPDIR to a writable directory", base, strerror(errno));
        return -1;
    }
    snprintf(e->tmpdir, sizeof e->tmpdir, "%s", path);
    snprintf(e->datadir, sizeof e->datadir, "%s/data", path);
    if (e->switch_user && chown(path, e->run_uid, e->run_gid) != 0) {
        set_err(err, errlen, "cannot give %s to user %s: %s",
                path, e->run_user, strerror(errno));
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);               /* keep going: remove as much as we can */
    return 0;
}

/* Removes path and everything below it, never following symlinks nor
 * crossing into other file systems. */
static void remove_tree_here(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Removes e->tmpdir.  As root, the tree is first removed by a child running
 * as the run user, so that anything the server's user planted there (such as
 * a symlink swapped in mid-walk) can never make root delete outside it; root
 * then removes only what that user could not (the directory itself, when
 * its parent is not writable by the user). */
static void remove_tmpdir(sdb_embedded *e)
{
    if (!e->tmpdir[0])
        return;
    if (e->switch_user) {
        pid_t pid = fork();
        if (pid == 0) {
            if (setgroups(0, NULL) == 0 && setgid(e->run_gid) == 0 && setuid(e->run_uid) == 0)
                remove_tree_here(e->tmpdir);
            _exit(0);
        }
        while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        if (rmdir(e->tmpdir) != 0 && (errno == ENOTEMPTY || errno == EEXIST))
            remove_tree_here(e->tmpdir);
    } else {
        remove_tree_here(e->tmpdir);
    }
    if (access(e->tmpdir, F_OK) == 0 && e->verbose)
        fprintf(stderr, "%s: warning: could not remove %s entirely\n", sdb_progname(),
                e->tmpdir);
    e->tmpdir[0] = '\0';
}

/* ---------------------------------------------------------------------- */
/* Child processes.                                                         */

/* Closes every descriptor from 3 up except keep (async-signal-safe). */
static void close_other_fds(int keep, int max_fd)
{
    if (close_range((unsigned)keep + 1, ~0U, 0) == 0 &&
        (keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0))
        return;
    for (int fd = 3; fd < max_fd; fd++)
        if (fd != keep)
            close(fd);
}

/* Moves a close-on-exec descriptor to 3 or above, so that the child's dup2
 * onto 0, 1 and 2 cannot overwrite it (when we run with stdio closed).
 * Returns the descriptor, or -1 (fd closed). */
static int above_stdio(int fd)
{
    if (fd < 0 || fd > STDERR_FILENO)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(fd);
    return moved;
}

static _Noreturn void child_fail(int report, int step)
{
    child_failure f = { step, errno };
    ssize_t ignored = write(report, &f, sizeof f);
    (void)ignored;
    _exit(127);
}

/* Runs in the forked child: only async-signal-safe calls until execv. */
static _Noreturn void child_exec(const sdb_embedded *e, char *const argv[],
                                 const child_fds *fds, pid_t parent, bool detached)
{
    /* Our own session (hence process group): a terminal's Ctrl-C reaches us,
     * not the server; we decide when it stops. */
    setsid();
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);     /* undo ignored signals; EINVAL for reserved ones */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (dup2(fds->devnull, STDIN_FILENO) < 0 || dup2(fds->log, STDOUT_FILENO) < 0 ||
        dup2(fds->log, STDERR_FILENO) < 0 || chdir(e->tmpdir) != 0)
        child_fail(fds->report, STEP_SETUP);
    close_other_fds(fds->report, fds->max_fd);

    if (e->switch_user) {
        if (setgroups(0, NULL) != 0)
            child_fail(fds->report, STEP_SETGROUPS);
        if (setgid(e->run_gid) != 0)
            child_fail(fds->report, STEP_SETGID);
        if (setuid(e->run_uid) != 0)
            child_fail(fds->report, STEP_SETUID);
    }
    /* After setuid, which clears it.  The signal fires when the thread that
     * forked us ends; SIGQUIT is the postmaster's immediate shutdown. */
    if (!detached) {
        if (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0)
            child_fail(fds->report, STEP_PDEATHSIG);
        if (getppid() != parent)
            _exit(1);           /* the parent died before prctl */
    }
    execv(argv[0], argv);
    child_fail(fds->report, STEP_EXEC);
}

/* Starts argv[0] with stdin from /dev/null and stdout/stderr into log_path
 * (created or truncated), in a new session, with e->tmpdir as working
 * directory, as the run user when we are root, and with PR_SET_PDEATHSIG
 * unless detached.  Returns the child's pid once it has exec'd, or -1 with
 * err set and nothing left running. */
static pid_t spawn(const sdb_embedded *e, char *const argv[], const char *log_path,
                   bool detached, char *err, size_t errlen)
{
    child_fds fds = { -1, -1, -1, 0 };
    int pipefd[2] = { -1, -1 };
    pid_t pid = -1;
    struct rlimit rl;
    fds.max_fd = (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536)
                     ? (int)rl.rlim_cur : 65536;

    fds.log = above_stdio(open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    fds.devnull = above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (pipe2(pipefd, O_CLOEXEC) == 0) {
        pipefd[0] = above_stdio(pipefd[0]);
        pipefd[1] = above_stdio(pipefd[1]);
    }
    if (fds.log < 0 || fds.devnull < 0 || pipefd[0] < 0 || pipefd[1] < 0) {
        set_err(err, errlen, "cannot prepare to run %s: %s",
                argv[0], strerror(errno));
        goto out;
    }
    fds.report = pipefd[1];
    pid_t parent = getpid();
    pid = fork();
    if (pid == 0)
        child_exec(e, argv, &fds, parent, detached);
    if (pid < 0) {
        set_err(err, errlen, "cannot fork to run %s: %s",
                argv[0], strerror(errno));
        goto out;
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    child_failure f;
    ssize_t got;
    while ((got = read(pipefd[0], &f, sizeof f)) < 0 && errno == EINTR) {
    }
    if (got == (ssize_t)sizeof f) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        set_err(err, errlen, "cannot run %s%s%s: %s failed: %s",
                argv[0], e->switch_user ? " as " : "", e->switch_user ? e->run_user : "",
                child_step_names[f.step], strerror(f.error));
        pid = -1;
    }
out:
    if (fds.log >= 0)
        close(fds.log);
    if (fds.devnull >= 0)
        close(fds.devnull);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return pid;
}

/* Polls pid until it exits (CHILD_EXITED, *status set), *cancel becomes
 * non-zero (CHILD_CANCELLED) or timeout_ms pass (CHILD_RUNNING; 0 = check
 * once).  A child reaped elsewhere (SIGCHLD ignored) counts as exited with
 * status 255. */
static child_state wait_child(pid_t pid, atomic_int *cancel, int timeout_ms,
                              int *status)
{
    int64_t deadline = sdb_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return CHILD_EXITED;
        if (r < 0 && errno != EINTR) {
            *status = 255 << 8;
            return CHILD_EXITED;
        }
        if (is_cancelled(cancel))
            return CHILD_CANCELLED;
        if (sdb_now_ns() >= deadline)
            return CHILD_RUNNING;
        sleep_ms(POLL_MS);
    }
}

static void describe_status(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
}

/* Writes the last few non-empty lines of the file at path into buf as one
 * line, joined by " | "; "" when the file is missing or empty. */
static void log_tail(const char *path, char *buf, size_t len)
{
    enum { TAIL_BYTES = 2048, TAIL_LINES = 4 };
    char chunk[TAIL_BYTES + 1];
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
    ssize_t n = size >= 0 ? pread(fd, chunk, TAIL_BYTES, from) : -1;
    close(fd);
    if (n <= 0)
        return;
    chunk[n] = '\0';

    char *lines[TAIL_LINES];
    int count = 0;
    char *line = chunk;
    if (from > 0)               /* skip the partial first line */
        line = strchr(chunk, '\n') ? strchr(chunk, '\n') + 1 : chunk + n;
    for (char *nl; *line; line = nl + 1) {
        nl = line + strcspn(line, "\n");
        bool last = *nl == '\0';
        *nl = '\0';
        for (char *p = line; *p; p++)
            if (*p == '\t' || *p == '\r')
                *p = ' ';
        if (line[strspn(line, " ")] != '\0') {
            if (count == TAIL_LINES)
                memmove(lines, lines + 1, (TAIL_LINES - 1) * sizeof *lines);
            lines[count < TAIL_LINES ? count++ : TAIL_LINES - 1] = line;
        }
        if (last)
            break;
    }
    size_t used = 0;
    for (int i = 0; i < count && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? " | " : "", lines[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ---------------------------------------------------------------------- */
/* initdb, postgres, CREATE DATABASE.                                       */

static int run_initdb(sdb_embedded *e, atomic_int *cancel,
                      char *err, size_t errlen)
{
    char initdb[PATH_MAX + 16], log_path[PATH_MAX + 16];
    snprintf(initdb, sizeof initdb, "%s/initdb", e->bindir);
    snprintf(log_path, sizeof log_path, "%s/initdb.log", e->tmpdir);
    char *argv[] = { initdb, "-D", e->datadir, "-U", EMB_SUPERUSER, "-A", "trust",
                     "-E", "UTF8", "--no-locale", "--no-sync", NULL };
    if (e->verbose)
        fprintf(stderr, "%s: embedded PostgreSQL: initdb %s (as %s)\n", sdb_progname(),
                e->datadir, e->run_user);
    pid_t pid = spawn(e, argv, log_path, false, err, errlen);
    if (pid < 0)
        return -1;
    int status = 0;
    child_state st = wait_child(pid, cancel, INITDB_TIMEOUT_MS, &status);
    if (st != CHILD_EXITED) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        if (st == CHILD_CANCELLED)
            set_err(err, errlen, "start-up cancelled");
        else
            set_err(err, errlen, "initdb did not finish within %d s",
                    INITDB_TIMEOUT_MS / 1000);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char how[64], tail[1024];
    describe_status(status, how, sizeof how);
    log_tail(log_path, tail, sizeof tail);
    bool access_problem = e->switch_user && strstr(tail, "ermission denied");
    set_err(err, errlen, "initdb failed (%s): %s%s%s%s", how, tail,
            access_problem ? " (initdb runs as user " : "",
            access_problem ? e->run_user : "",
            access_problem ? ", who must be able to reach TMPDIR; set TMPDIR to a "
                             "directory such as /tmp)" : "");
    return -1;
}

/* Picks a port number for the socket name: a free TCP port on 127.0.0.1
 * (the server opens no TCP socket, but a number no local server uses keeps
 * the socket name unambiguous), else one derived from our pid. */
static int pick_port(int attempt)
{
    int port = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        struct sockaddr_in a;
        socklen_t alen = sizeof a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
            port = ntohs(a.sin_port);
        close(fd);
    }
    if (port <= 0)
        port = 49152 + (int)(((unsigned)getpid() * 7u + (unsigned)attempt * 131u) % 16000u);
    return port;
}

/* Spawns the postmaster on e->port; returns its pid or -1 with err set. */
static pid_t spawn_postmaster(sdb_embedded *e, const char *log_path, char *err, size_t errlen)
{
    size_t nsettings = 0;
    while (e->settings && e->settings[nsettings])
        nsettings++;
    char postgres[PATH_MAX + 16];
    snprintf(postgres, sizeof postgres, "%s/postgres", e->bindir);
    char *fixed[] = { postgres, "-D", e->datadir, "-k", e->tmpdir, "-p", e->port_text,
                      "-c", "listen_addresses=", "-c", "unix_socket_permissions=0777" };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    char **argv = calloc(nfixed + 2 * nsettings + 1, sizeof *argv);
    if (!argv) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    memcpy(argv, fixed, sizeof fixed);
    for (size_t i = 0; i < nsettings; i++) {
        argv[nfixed + 2 * i] = "-c";
        argv[nfixed + 2 * i + 1] = e->settings[i];
    }
    pid_t pid = spawn(e, argv, log_path, e->detached, err, errlen);
    free(argv);
    return pid;
}

typedef enum ready_state { READY, EXITED, CANCELLED, TIMED_OUT } ready_state;

/* Polls the server with libpq until it accepts connections, exits, is
 * cancelled or READY_TIMEOUT_MS pass.  *status is set on EXITED. */
static ready_state wait_ready(const sdb_embedded *e, atomic_int *cancel,
                              int *status)
{
    const char *const keys[] = { "host", "port", "dbname", "user", NULL };
    const char *const values[] = { e->tmpdir, e->port_text, "postgres", EMB_SUPERUSER, NULL };
    int64_t deadline = sdb_now_ns() + (int64_t)READY_TIMEOUT_MS * 1000000;
    for (;;) {
        if (PQpingParams(keys, values, 0) == PQPING_OK)
            return READY;
        child_state st = wait_child(e->postmaster, cancel, 0, status);
        if (st == CHILD_EXITED)
            return EXITED;
        if (st == CHILD_CANCELLED)
            return CANCELLED;
        if (sdb_now_ns() >= deadline)
            return TIMED_OUT;
        sleep_ms(POLL_MS * 2);
    }
}

/* Stops the postmaster: fast shutdown (SIGINT), then immediate (SIGQUIT),
 * then SIGKILL, waiting for it to exit after each. */
static void stop_postmaster(sdb_embedded *e)
{
    static const struct { int sig; int wait_ms; } steps[] = {
        { SIGINT, FAST_SHUTDOWN_MS }, { SIGQUIT, IMMEDIATE_SHUTDOWN_MS }, { SIGKILL, KILL_WAIT_MS },
    };
    if (e->postmaster <= 0)
        return;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int status;
        kill(e->postmaster, steps[i].sig);
        if (wait_child(e->postmaster, NULL, steps[i].wait_ms, &status) == CHILD_EXITED)
            break;
    }
    e->postmaster = 0;
}

/* Starts the postmaster and waits until it accepts connections, trying
 * another port when the socket name is taken.  Returns 0, or -1 with err set
 * and no server running. */
static int start_postmaster(sdb_embedded *e, atomic_int *cancel,
                            char *err, size_t errlen)
{
    char log_path[PATH_MAX + 16], tail[1024], how[64];
    snprintf(log_path, sizeof log_path, "%s/server.log", e->tmpdir);
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        e->port = pick_port(attempt);
        snprintf(e->port_text, sizeof e->port_text, "%d", e->port);
        e->postmaster = spawn_postmaster(e, log_path, err, errlen);
        if (e->postmaster < 0) {
            e->postmaster = 0;
            return -1;
        }
        int status = 0;
        ready_state st = wait_ready(e, cancel, &status);
        if (st == READY)
            return 0;
        if (st == EXITED) {
            e->postmaster = 0;
            log_tail(log_path, tail, sizeof tail);
            if (strstr(tail, ".s.PGSQL.") && attempt + 1 < PORT_ATTEMPTS)
                continue;       /* socket name taken: another port */
            describe_status(status, how, sizeof how);
            set_err(err, errlen, "postgres exited during start-up "
                    "(%s): %s", how, tail);
            return -1;
        }
        log_tail(log_path, tail, sizeof tail);
        stop_postmaster(e);
        if (st == CANCELLED)
            set_err(err, errlen, "start-up cancelled");
        else
            set_err(err, errlen, "postgres did not accept connections "
                    "within %d s: %s", READY_TIMEOUT_MS / 1000, tail);
        return -1;
    }
    return -1;                  /* not reached: the last attempt sets err */
}

static int create_database(const sdb_embedded *e, char *err, size_t errlen)
{
    const char *const keys[] = { "host", "port", "dbname", "user", NULL };
    const char *const values[] = { e->tmpdir, e->port_text, "postgres", EMB_SUPERUSER, NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 0);
    PGresult *res = NULL;
    int rc = -1;
    char why[512];
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        sdb_conn_error(conn, NULL, why, sizeof why);
        set_err(err, errlen, "cannot connect to the new server: %s", why);
    } else if (PQresultStatus(res = PQexec(conn, "CREATE DATABASE " EMB_DBNAME))
               != PGRES_COMMAND_OK) {
        sdb_conn_error(conn, res, why, sizeof why);
        set_err(err, errlen, "CREATE DATABASE " EMB_DBNAME " failed: %s",
                why);
    } else {
        rc = 0;
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* The public functions.                                                    */

sdb_embedded *sdb_embedded_start(const sdb_embedded_opts *o, char *err, size_t errlen)
{
    static const sdb_embedded_opts defaults = { .settings = NULL };
    if (!o)
        o = &defaults;
    if (is_cancelled(o->cancel)) {
        set_err(err, errlen, "start-up cancelled");
        return NULL;
    }
    sdb_embedded *e = calloc(1, sizeof *e);
    if (!e) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    e->verbose = o->verbose;
    e->detached = o->keep;
    if (find_bindir(e, err, errlen) != 0 || resolve_run_user(e, err, errlen) != 0 ||
        copy_settings(e, o->settings, err, errlen) != 0 || make_tmpdir(e, err, errlen) != 0 ||
        run_initdb(e, o->cancel, err, errlen) != 0 ||
        start_postmaster(e, o->cancel, err, errlen) != 0)
        goto fail;
    if (is_cancelled(o->cancel)) {
        set_err(err, errlen, "start-up cancelled");
        goto fail;
    }
    if (create_database(e, err, errlen) != 0)
        goto fail;
    if (e->verbose)
        fprintf(stderr, "%s: embedded PostgreSQL: started (pid %ld, as %s): host=%s "
                "port=%d user=%s dbname=%s\n", sdb_progname(), (long)e->postmaster,
                e->run_user, e->tmpdir, e->port, EMB_SUPERUSER, EMB_DBNAME);
    return e;
fail:
    sdb_embedded_stop(e, false);
    return NULL;
}

const char *sdb_embedded_socket_dir(const sdb_embedded *e) { return e->tmpdir; }
int sdb_embedded_port(const sdb_embedded *e) { return e->port; }
const char *sdb_embedded_user(const sdb_embedded *e) { (void)e; return EMB_SUPERUSER; }
const char *sdb_embedded_dbname(const sdb_embedded *e) { (void)e; return EMB_DBNAME; }
const char *sdb_embedded_datadir(const sdb_embedded *e) { return e->datadir; }
const char *sdb_embedded_bindir(const sdb_embedded *e) { return e->bindir; }

/* Restarts a server started without keep so that it no longer carries
 * PR_SET_PDEATHSIG.  Returns 0, or -1 (message printed, server stopped). */
static int restart_detached(sdb_embedded *e)
{
    char err[1024];
    stop_postmaster(e);
    e->detached = true;
    if (start_postmaster(e, NULL, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "%s: warning: cannot keep the embedded PostgreSQL: %s\n",
            sdb_progname(), err);
    return -1;
}

static void print_keep_message(const sdb_embedded *e)
{
    fprintf(stderr,
            "%s: embedded PostgreSQL left running (pid %ld, as %s).\n"
            "  connect: psql -h %s -p %d -U %s %s\n"
            "  stop:    %s%s%s%s/pg_ctl -D %s stop && rm -rf %s\n",
            sdb_progname(), (long)e->postmaster, e->run_user,
            e->tmpdir, e->port, EMB_SUPERUSER, EMB_DBNAME,
            e->switch_user ? "runuser -u " : "", e->switch_user ? e->run_user : "",
            e->switch_user ? " -- " : "", e->bindir, e->datadir, e->tmpdir);
}

void sdb_embedded_stop(sdb_embedded *e, bool keep)
{
    if (!e)
        return;
    if (keep && e->postmaster > 0 && (e->detached || restart_detached(e) == 0)) {
        print_keep_message(e);
    } else {
        stop_postmaster(e);
        remove_tmpdir(e);
    }
    for (size_t i = 0; e->settings && e->settings[i]; i++)
        free(e->settings[i]);
    free(e->settings);
    free(e);
}
