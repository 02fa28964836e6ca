/*
 * jget FILE PATH — prints the JSON value at PATH ("performance.tps",
 * "transactions.0.name") of FILE, for the shell tests.  Numbers and strings
 * print bare; objects and arrays as compact JSON.  Exit 1 when the file is
 * not valid JSON or the path does not exist.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: jget FILE PATH\n");
        return 2;
    }
    json_error_t e;
    json_t *root = json_load_file(argv[1], 0, &e);
    if (!root) {
        fprintf(stderr, "jget: %s:%d: %s\n", argv[1], e.line, e.text);
        return 1;
    }
    json_t *v = root;
    char *path = strdup(argv[2]);
    for (char *part = strtok(path, "."); part && v; part = strtok(NULL, ".")) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)strtoul(part, NULL, 10));
        else
            v = json_object_get(v, part);
    }
    free(path);
    if (!v) {
        fprintf(stderr, "jget: %s: no value at %s\n", argv[1], argv[2]);
        return 1;
    }
    if (json_is_string(v))
        printf("%s\n", json_string_value(v));
    else if (json_is_integer(v))
        printf("%lld\n", (long long)json_integer_value(v));
    else if (json_is_real(v))
        printf("%.6f\n", json_real_value(v));
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s\n", s ? s : "null");
        free(s);
    }
    json_decref(root);
    return 0;
}
