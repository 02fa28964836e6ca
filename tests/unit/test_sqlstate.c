/* test_sqlstate.c — SQLSTATE condition names and classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sqlstate.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sdb_sqlstate_name("40001"), "serialization_failure");
    assert_string_equal(sdb_sqlstate_name("40P01"), "deadlock_detected");
    assert_string_equal(sdb_sqlstate_name("57014"), "query_canceled");
    assert_string_equal(sdb_sqlstate_name("55P03"), "lock_not_available");
    assert_string_equal(sdb_sqlstate_name("25P03"), "idle_in_transaction_session_timeout");
    assert_string_equal(sdb_sqlstate_name("57P01"), "admin_shutdown");
    assert_string_equal(sdb_sqlstate_name("53300"), "too_many_connections");
    assert_string_equal(sdb_sqlstate_name("00000"), "successful_completion");
    assert_string_equal(sdb_sqlstate_name("XX000"), "internal_error");
    assert_null(sdb_sqlstate_name("40002x"));
    assert_null(sdb_sqlstate_name("4000"));
    assert_null(sdb_sqlstate_name("ZZ999"));
    assert_null(sdb_sqlstate_name(""));
    assert_null(sdb_sqlstate_name(NULL));
}

static void test_classes(void **state)
{
    (void)state;
    assert_string_equal(sdb_sqlstate_class("40001"), "Transaction Rollback");
    assert_string_equal(sdb_sqlstate_class("23505"), "Integrity Constraint Violation");
    assert_string_equal(sdb_sqlstate_class("57P01"), "Operator Intervention");
    assert_string_equal(sdb_sqlstate_class("08006"), "Connection Exception");
    /* a code PostgreSQL does not define, in a class it does */
    assert_string_equal(sdb_sqlstate_class("40999"), "Transaction Rollback");
    assert_null(sdb_sqlstate_class("ZZ000"));
    assert_null(sdb_sqlstate_class("4"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
