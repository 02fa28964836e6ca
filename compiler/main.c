/*
 * main.c — the swlc command line:
 *
 *   swlc FILE.swl [-o OUT.c] [-Werror]  C to OUT.c (or stdout with -o - / no -o)
 *   swlc --build FILE.swl -o BINARY     C, then cc with the runtime library
 *   swlc --check-sql FILE.swl [--dsn CONNINFO]   the SQL against a live server
 *   swlc --help | --version
 *
 * Exit status: 0 ok, 1 errors in the .swl, 2 usage, I/O or build errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checksql.h"
#include "driver.h"

/* Most words of a --build command line. */
#define BUILD_MAX_ARGS 256

static void usage(FILE *out)
{
    fputs("usage: swlc FILE.swl [-o OUT.c] [-Werror]\n"
          "       swlc --build FILE.swl -o BINARY [-Werror]\n"
          "       swlc --check-sql FILE.swl [--dsn CONNINFO]\n"
          "       swlc --help | --version\n"
          "\n"
          "Compiles a stormdb workload (.swl) to C that targets the stormdb runtime.\n"
          "  -o FILE    write the C (or, with --build, the binary) to FILE; '-' is stdout\n"
          "  --build    also compile and link the C with $CC (default cc), the runtime\n"
          "             headers and library next to swlc (<bin>/../include, <bin>/../lib)\n"
          "             and the libpq, yaml-0.1, jansson, libmicrohttpd and zlib flags\n"
          "             from pkg-config\n"
          "  -Werror    treat warnings (unused statements, variables, params, lists) as errors\n"
          "  --check-sql  prepare every statement and check on a live server (libpq; the\n"
          "             PG* environment or --dsn), inside a transaction that is rolled back\n"
          "Exit status: 0 ok, 1 errors in the .swl file, 2 usage, I/O or build errors.\n"
          "The language is described in docs/language.md.\n",
          out);
}

/* Writes text to path ("-": stdout).  Returns 0 or -1 (message printed). */
static int write_output(const char *path, const char *text, size_t len)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (!fp) {
        fprintf(stderr, "swlc: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fwrite(text, 1, len, fp);
    int bad = n != len || fflush(fp) != 0 || ferror(fp);
    if (fp != stdout && fclose(fp) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "swlc: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Splits `s` at blanks into argv[*argc...] (pointers into s, which is
 * modified).  Returns -1 when there are too many words. */
static int split_words(char *s, char **argv, int *argc)
{
    for (char *tok = strtok(s, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        if (*argc >= BUILD_MAX_ARGS - 1)
            return -1;
        argv[(*argc)++] = tok;
    }
    return 0;
}

/* The link flags of pkg-config for the runtime's dependencies, malloc'ed;
 * NULL when pkg-config fails (message printed). */
static char *pkg_config_libs(void)
{
    FILE *p = popen("pkg-config --libs libpq yaml-0.1 jansson libmicrohttpd zlib", "r");
    if (!p) {
        fprintf(stderr, "swlc: cannot run pkg-config: %s\n", strerror(errno));
        return NULL;
    }
    char *buf = calloc(1, 4096);
    size_t n = buf ? fread(buf, 1, 4095, p) : 0;
    int st = pclose(p);
    if (!buf || st != 0) {
        fprintf(stderr, "swlc: pkg-config --libs libpq yaml-0.1 jansson libmicrohttpd zlib failed\n");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Runs argv and waits; returns its exit status, or -1 (message printed). */
static int run(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "swlc: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "swlc: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Compiles and links the C in `cfile` into `binary`.  Returns an exit status. */
static int build_binary(const char *cfile, const char *binary)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "swlc: cannot find my own location (/proc/self/exe)\n");
        return DRIVER_USAGE_ERROR;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char inc[PATH_MAX + 16], incflag[PATH_MAX + 32], lib[PATH_MAX + 32];
    snprintf(inc, sizeof inc, "%s/../include", exe);
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    snprintf(lib, sizeof lib, "%s/../lib/libstormdb_rt.a", exe);
    char header[PATH_MAX + 32];
    snprintf(header, sizeof header, "%s/stormdb.h", inc);
    if (access(header, R_OK) != 0 || access(lib, R_OK) != 0) {
        fprintf(stderr, "swlc: the stormdb runtime was not found: need %s and %s "
                "(build the project, or install stormdb, first)\n", header, lib);
        return DRIVER_USAGE_ERROR;
    }
    char *libs = pkg_config_libs();
    if (!libs)
        return DRIVER_USAGE_ERROR;
    const char *cc_env = getenv("CC");
    char *cc = strdup(cc_env && *cc_env ? cc_env : "cc");
    char *runtime_flags = strdup(SDB_RUNTIME_CFLAGS);
    char *argv[BUILD_MAX_ARGS];
    int argc = 0;
    int status = DRIVER_USAGE_ERROR;
    if (!cc || split_words(cc, argv, &argc) != 0 || argc == 0)
        goto out;
    const char *fixed[] = {"-std=c11", "-O2", "-fwrapv", incflag, cfile, lib};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        argv[argc++] = (char *)(uintptr_t)fixed[i];
    /* compile and link the way the runtime library was built (sanitizers) */
    if (!runtime_flags || split_words(runtime_flags, argv, &argc) != 0)
        goto out;
    if (split_words(libs, argv, &argc) != 0 || argc + 5 >= BUILD_MAX_ARGS)
        goto out;
    argv[argc++] = "-lpthread";
    argv[argc++] = "-lm";
    argv[argc++] = "-o";
    argv[argc++] = (char *)(uintptr_t)binary;
    argv[argc] = NULL;
    int rc = run(argv);
    if (rc == 0)
        status = DRIVER_OK;
    else
        fprintf(stderr, "swlc: %s failed (status %d) on the generated C\n", argv[0], rc);
out:
    free(cc);
    free(runtime_flags);
    free(libs);
    return status;
}

/* --build: C into a private temporary directory, then the compiler. */
static int build(const char *c_text, size_t c_len, const char *binary)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/swlc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "swlc: cannot make a temporary directory: %s\n", strerror(errno));
        return DRIVER_USAGE_ERROR;
    }
    char cfile[PATH_MAX + 16];
    snprintf(cfile, sizeof cfile, "%s/workload.c", dir);
    int status = write_output(cfile, c_text, c_len) == 0 ? build_binary(cfile, binary)
                                                        : DRIVER_USAGE_ERROR;
    unlink(cfile);
    rmdir(dir);
    return status;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *dsn = NULL;
    int do_build = 0, check_sql = 0;
    driver_opts opts = {true, NULL, false};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return DRIVER_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("swlc %s\n", SWLC_VERSION);
            return DRIVER_OK;
        } else if (strcmp(argv[i], "--build") == 0) {
            do_build = 1;
        } else if (strcmp(argv[i], "--check-sql") == 0) {
            check_sql = 1;
        } else if (strcmp(argv[i], "--dsn") == 0 && i + 1 < argc && !dsn) {
            dsn = argv[++i];
        } else if (strcmp(argv[i], "-Werror") == 0) {
            opts.werror = true;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc && !output) {
            output = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "swlc: unknown or repeated option '%s'\n", argv[i]);
            usage(stderr);
            return DRIVER_USAGE_ERROR;
        } else if (!input) {
            input = argv[i];
        } else {
            fprintf(stderr, "swlc: more than one input file ('%s')\n", argv[i]);
            return DRIVER_USAGE_ERROR;
        }
    }
    if (!input || (do_build && (!output || strcmp(output, "-") == 0)) ||
        (check_sql && (do_build || output)) || (dsn && !check_sql)) {
        usage(stderr);
        return DRIVER_USAGE_ERROR;
    }
    if (!output)
        output = "-";

    char *src, err[PATH_MAX + 128];
    uint32_t len;
    if (driver_read_file(input, &src, &len, err, sizeof err) != 0) {
        fprintf(stderr, "swlc: %s\n", err);
        return DRIVER_USAGE_ERROR;
    }
    if (check_sql) {
        int st = checksql_run(input, src, len, dsn, stderr);
        free(src);
        return st == 0 ? DRIVER_OK : st == 1 ? DRIVER_SWL_ERROR : DRIVER_USAGE_ERROR;
    }
    const char *c_name = do_build ? "workload.c" : strcmp(output, "-") == 0 ? "<stdout>"
                                                                           : driver_basename(output);
    char *c_text = NULL;
    size_t c_len = 0;
    int status = driver_compile_opts(&opts, src, len, input, driver_basename(input), c_name, stderr,
                                     &c_text, &c_len);
    free(src);
    if (status == DRIVER_OK)
        status = do_build ? build(c_text, c_len, output)
                          : write_output(output, c_text, c_len) == 0 ? DRIVER_OK : DRIVER_USAGE_ERROR;
    free(c_text);
    return status;
}
