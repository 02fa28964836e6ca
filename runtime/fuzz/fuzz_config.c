/*
 * fuzz_config.c — libFuzzer entry point over the YAML config loader and
 * what follows it on a real run: loading the bytes as a config file, then
 * printing the effective settings (--print-config) and freeing.  Any crash,
 * hang, sanitizer report or leak is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (!sink || size > 1u << 20)
        return 0;
    sdb_config cfg;
    sdb_config_init(&cfg);
    if (sdb_config_load_yaml_text(&cfg, "fuzz.yaml", (const char *)data, size, sink) == 0)
        sdb_config_print(&cfg, NULL, sink);
    sdb_config_free(&cfg);
    return 0;
}
