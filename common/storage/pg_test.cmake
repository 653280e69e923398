# Tests against a live PostgreSQL, which always run (never skip).
#
# The `pg` CTest fixture starts a throwaway cluster with scripts/pg-local before
# the first test that needs it and removes it after the last; its connection
# string is written to ${SKINLENS_PG_URL_FILE}, which each test reads through
# the environment variable of the same name (common/storage/testing/store_backend.h).
#
#   skinlens_pg_test(auth_logic_pgtest SOURCES a_pgtest.cc LIBS auth_lib)

set(SKINLENS_PG_URL_FILE "${PROJECT_BINARY_DIR}/pg-local.url" CACHE INTERNAL "")
string(MD5 _skinlens_pg_hash "${PROJECT_BINARY_DIR}")
string(SUBSTRING "${_skinlens_pg_hash}" 0 12 _skinlens_pg_hash)
# Under /tmp: the cluster runs as the `postgres` user when the build runs as
# root, and that user may not be able to enter the build folder.
set(SKINLENS_PG_DIR "/tmp/skinlens-pg-${_skinlens_pg_hash}" CACHE INTERNAL "")

if(NOT TEST pg_start)
  add_test(NAME pg_start
           COMMAND "${PROJECT_SOURCE_DIR}/scripts/pg-local" start --dir "${SKINLENS_PG_DIR}"
                   --url-file "${SKINLENS_PG_URL_FILE}")
  set_tests_properties(pg_start PROPERTIES FIXTURES_SETUP pg LABELS postgres TIMEOUT 120)
  add_test(NAME pg_stop COMMAND "${PROJECT_SOURCE_DIR}/scripts/pg-local" stop "${SKINLENS_PG_DIR}")
  set_tests_properties(pg_stop PROPERTIES FIXTURES_CLEANUP pg LABELS postgres TIMEOUT 60)
endif()

# skinlens_pg_test(<name> SOURCES ... LIBS ...): like skinlens_test, labelled
# `postgres` and run inside the `pg` fixture. Name it *_pgtest.
function(skinlens_pg_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  skinlens_target_warnings(${name})
  # The prefix keeps names unique when one test source is built for both
  # backends: CTest applies properties (the fixture!) by test name.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "postgres."
    PROPERTIES LABELS postgres FIXTURES_REQUIRED pg
               ENVIRONMENT "SKINLENS_PG_URL_FILE=${SKINLENS_PG_URL_FILE}")
endfunction()
