/* driver.c — one compilation (see driver.h). */
#include "driver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "emit.h"
#include "parse.h"
#include "sema.h"

int driver_compile(const char *src, uint32_t len, const char *display_name, const char *swl_name,
                   const char *c_name, FILE *diag_out, char **out, size_t *out_len)
{
    return driver_compile_opts(NULL, src, len, display_name, swl_name, c_name, diag_out, out,
                               out_len);
}

char *driver_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int driver_compile_opts(const driver_opts *o, const char *src, uint32_t len,
                        const char *display_name, const char *swl_name, const char *c_name,
                        FILE *diag_out, char **out, size_t *out_len)
{
    driver_opts defaults = {true, NULL, false};
    if (!o)
        o = &defaults;
    char *dir = o->base_dir || !o->read_files ? NULL : driver_dirname(display_name);
    sema_opts so = {o->read_files, o->base_dir ? o->base_dir : dir};
    diag_ctx d;
    diag_init(&d, display_name, src, len, diag_out);
    arena *a = arena_new();
    int status = DRIVER_SWL_ERROR;
    if (!a) {
        diag_error(&d, 0, "out of memory");
        goto done;
    }
    ast_file *f = parse_file(a, &d, src, len);
    if (!f || d.errors)
        goto done;
    if (sema_check(a, &d, src, len, f, &so) != 0 || d.errors)
        goto done;
    if (o->werror && d.warnings) {
        diag_error(&d, 0, "%d warning%s treated as errors (-Werror)", d.warnings,
                   d.warnings == 1 ? "" : "s");
        goto done;
    }
    if (emit_c(f, &d, src, len, swl_name, c_name, out, out_len) != 0) {
        diag_error(&d, 0, "out of memory while writing C");
        goto done;
    }
    status = DRIVER_OK;
done:
    diag_summary(&d);
    diag_fini(&d);
    arena_free(a);
    free(dir);
    return status;
}

int driver_read_file(const char *path, char **buf, uint32_t *len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n - 1, fp);
        if (ferror(fp) || n < cap - 1)
            break;
        if (cap > DRIVER_MAX_SOURCE) {
            snprintf(err, errlen, "%s is larger than %u bytes", path, DRIVER_MAX_SOURCE);
            free(b);
            fclose(fp);
            return -1;
        }
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    if (!b) {
        snprintf(err, errlen, "out of memory reading %s", path);
        fclose(fp);
        return -1;
    }
    if (ferror(fp)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        free(b);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    if (n > DRIVER_MAX_SOURCE) {
        snprintf(err, errlen, "%s is larger than %u bytes", path, DRIVER_MAX_SOURCE);
        free(b);
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = (uint32_t)n;
    return 0;
}

const char *driver_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}
