/*
 * fuzz_swlc.c — libFuzzer entry point over the whole front end: lexing,
 * parsing, semantic checks and C generation into memory, on arbitrary
 * bytes.  Diagnostics are only counted; list files are never read, so a
 * run depends on its input alone.  Any crash, sanitizer report or leak is
 * a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1u << 20)
        return 0;
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    if (size)
        memcpy(src, data, size);
    src[size] = '\0';
    driver_opts o = {false, NULL, false};
    char *out = NULL;
    size_t out_len = 0;
    driver_compile_opts(&o, src, (uint32_t)size, "fuzz.swl", "fuzz.swl", "fuzz.c", NULL, &out,
                        &out_len);
    free(out);
    free(src);
    return 0;
}
