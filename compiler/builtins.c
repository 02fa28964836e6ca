/* builtins.c — the table of built-in functions and date literals (see builtins.h). */
#include "builtins.h"

#include <string.h>

#define CW (BI_CTX | BI_WHERE)
#define CWR (BI_CTX | BI_WHERE | BI_RANDOM)

static const builtin_def table[] = {
    {"uniform", BI_UNIFORM, 2, 2, "ii", TY_INT, "sdb_gen_uniform", CWR, {0}},
    {"decimal", BI_GENERIC, 3, 3, "nni", TY_FLOAT, "sdb_gen_uniform_decimal", CWR, {0}},
    {"gaussian", BI_GENERIC, 3, 3, "iin", TY_INT, "sdb_gen_gaussian", CWR, {0}},
    {"exponential", BI_GENERIC, 3, 3, "iin", TY_INT, "sdb_gen_exponential", CWR, {0}},
    {"zipfian", BI_GENERIC, 3, 3, "iin", TY_INT, "sdb_gen_zipfian", CWR, {0}},
    {"normal", BI_GENERIC, 2, 2, "nn", TY_FLOAT, "sdb_gen_normal", CWR, {0}},
    {"exp_time", BI_GENERIC, 1, 2, "nn", TY_FLOAT, "sdb_gen_exp_time", CWR, {"0.0"}},
    {"nurand", BI_GENERIC, 3, 3, "iii", TY_INT, "sdb_gen_nurand", CWR, {0}},
    {"permute", BI_GENERIC, 2, 3, "iii", TY_INT, "sdb_gen_permute", CWR, {"INT64_C(0)"}},
    {"hash", BI_GENERIC, 1, 2, "ii", TY_INT, "sdb_hash_murmur2", 0, {"INT64_C(0)"}},
    {"hash_fnv1a", BI_GENERIC, 1, 2, "ii", TY_INT, "sdb_hash_fnv1a", 0, {"INT64_C(0)"}},
    {"sequence", BI_SEQUENCE, 1, 2, "ii", TY_INT, "sdb_seq_next", BI_CTX, {"INT64_C(1)"}},
    {"random_string", BI_GENERIC, 2, 2, "ii", TY_STRING, "sdb_gen_string", CWR, {0}},
    {"astring", BI_GENERIC, 2, 2, "ii", TY_STRING, "sdb_gen_string", CWR, {0}},
    {"alpha_string", BI_GENERIC, 2, 2, "ii", TY_STRING, "sdb_gen_alpha", CWR, {0}},
    {"nstring", BI_GENERIC, 2, 2, "ii", TY_STRING, "sdb_gen_numeric", CWR, {0}},
    {"marker", BI_GENERIC, 3, 3, "ssn", TY_STRING, "sdb_gen_marker", CWR, {0}},
    {"syllables", BI_GENERIC, 3, 3, "iiL", TY_STRING, "sdb_gen_syllables", CW, {0}},
    {"words", BI_GENERIC, 3, 3, "Lii", TY_STRING, "sdb_gen_words", CWR, {0}},
    {"text", BI_GENERIC, 3, 3, "Lii", TY_STRING, "sdb_gen_text", CWR, {0}},
    {"choose", BI_CHOOSE, 1, 2, "LL", TY_ERROR, "sdb_gen_pick", BI_CTX | BI_RANDOM, {0}},
    {"nullable", BI_NULLABLE, 2, 2, "an", TY_ERROR, "sdb_gen_chance", BI_CTX | BI_RANDOM, {0}},
    {"uuid", BI_GENERIC, 0, 0, "", TY_STRING, "sdb_gen_uuid", BI_CTX | BI_RANDOM, {0}},
    {"now", BI_GENERIC, 0, 0, "", TY_TIMESTAMP, "sdb_now_us", BI_RANDOM, {0}},
    {"timestamp_between", BI_GENERIC, 2, 2, "tt", TY_TIMESTAMP, "sdb_gen_timestamp", CWR, {0}},
    {"date_between", BI_GENERIC, 2, 2, "dd", TY_DATE, "sdb_gen_date", CWR, {0}},
    {"vector", BI_VECTOR, 1, 3, "icb", TY_STRING, "sdb_gen_vector", CWR, {"0", "0"}},
    {"rows", BI_ROWS, 1, 1, "T", TY_INT, "rows_", 0, {0}},
    {"nurand_c", BI_NURAND_C, 1, 1, "i", TY_INT, "c->nurand_c", 0, {0}},
    {"int", BI_INT, 1, 1, "a", TY_INT, "int64_t", 0, {0}},
    {"float", BI_FLOAT, 1, 1, "n", TY_FLOAT, "double", 0, {0}},
    {"string", BI_STRING, 1, 1, "a", TY_STRING, "", 0, {0}},
};

static const builtin_def uniform_float = {
    "uniform", BI_UNIFORM, 2, 2, "nn", TY_FLOAT, "sdb_gen_uniform_float", CWR, {0}};

const builtin_def *builtin_find(const char *name, uint32_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

const builtin_def *builtin_uniform_float(void)
{
    return &uniform_float;
}

const char *builtin_names(void)
{
    return "uniform, decimal, gaussian, exponential, zipfian, normal, exp_time, nurand, "
           "permute, hash, hash_fnv1a, sequence, random_string, astring, alpha_string, "
           "nstring, marker, syllables, words, text, choose, nullable, uuid, now, "
           "timestamp_between, date_between, vector, rows, nurand_c, int, float, string";
}

/* ---- dates and timestamps ---------------------------------------------- */

/* Reads exactly n digits at s[*i]; false when they are not all digits. */
static bool digits(const char *s, uint32_t len, uint32_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Parses the date part at s[*i]; false when invalid. */
static bool date_part(const char *s, uint32_t len, uint32_t *i, int64_t *days)
{
    int y, m, d;
    if (!digits(s, len, i, 4, &y) || *i >= len || s[(*i)++] != '-' || !digits(s, len, i, 2, &m) ||
        *i >= len || s[(*i)++] != '-' || !digits(s, len, i, 2, &d))
        return false;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

bool builtin_parse_date(const char *s, uint32_t len, int64_t *days)
{
    uint32_t i = 0;
    return date_part(s, len, &i, days) && i == len;
}

bool builtin_parse_timestamp(const char *s, uint32_t len, int64_t *us)
{
    uint32_t i = 0;
    int64_t days;
    int hh = 0, mm = 0, ss = 0;
    int64_t frac = 0;
    if (!date_part(s, len, &i, &days))
        return false;
    if (i < len) {
        if (s[i] != ' ' && s[i] != 'T')
            return false;
        i++;
        if (!digits(s, len, &i, 2, &hh) || i >= len || s[i++] != ':' || !digits(s, len, &i, 2, &mm))
            return false;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &ss))
                return false;
            if (i < len && s[i] == '.') {
                i++;
                int n = 0;
                for (; i < len && s[i] >= '0' && s[i] <= '9' && n < 6; i++, n++)
                    frac = frac * 10 + (s[i] - '0');
                if (n == 0)
                    return false;
                for (; n < 6; n++)
                    frac *= 10;
            }
        }
        if (i != len || hh > 23 || mm > 59 || ss > 59)
            return false;
    }
    *us = ((days * 24 + hh) * 60 + mm) * INT64_C(60000000) + ss * INT64_C(1000000) + frac;
    return true;
}
