// Tests of lib/util/status.h: the propagation macros.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "util/status.h"

namespace {

int g_calls = 0;  // how many times the expression under test ran

absl::Status step(bool ok) {
  ++g_calls;
  return ok ? absl::OkStatus() : absl::InvalidArgumentError("ERR step failed");
}

absl::StatusOr<int64_t> number(bool ok, int64_t v) {
  ++g_calls;
  if (!ok) return absl::OutOfRangeError("ERR value is not an integer or out of range");
  return v;
}

absl::Status two_steps(bool first, bool second, int* reached) {
  HS_RETURN_IF_ERROR(step(first));
  *reached = 1;
  HS_RETURN_IF_ERROR(step(second));
  *reached = 2;
  return absl::OkStatus();
}

absl::StatusOr<std::string> sum(bool a_ok, bool b_ok) {
  HS_ASSIGN_OR_RETURN(int64_t a, number(a_ok, 40));
  int64_t b = 0;
  HS_ASSIGN_OR_RETURN(b, number(b_ok, 2));
  return std::to_string(a + b);
}

absl::Status assign_into_status_fn(int64_t* out) {
  HS_ASSIGN_OR_RETURN(auto v, number(true, 7));
  *out = v;
  return absl::OkStatus();
}

}  // namespace

TEST_CASE("status::HS_RETURN_IF_ERROR") {
  g_calls = 0;
  int reached = 0;
  SUBCASE("ok runs on") {
    CHECK(two_steps(true, true, &reached).ok());
    CHECK(reached == 2);
    CHECK(g_calls == 2);
  }
  SUBCASE("first error returns it and stops") {
    const absl::Status s = two_steps(false, true, &reached);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() == "ERR step failed");
    CHECK(reached == 0);
    CHECK(g_calls == 1);  // expr evaluated once
  }
  SUBCASE("second error after the first passed") {
    CHECK_FALSE(two_steps(true, false, &reached).ok());
    CHECK(reached == 1);
    CHECK(g_calls == 2);
  }
}

TEST_CASE("status::HS_ASSIGN_OR_RETURN") {
  g_calls = 0;
  SUBCASE("declares and assigns") {
    const absl::StatusOr<std::string> r = sum(true, true);
    REQUIRE(r.ok());
    CHECK(*r == "42");
    CHECK(g_calls == 2);
  }
  SUBCASE("returns the error of the first failure") {
    const absl::StatusOr<std::string> r = sum(false, true);
    CHECK(r.status().code() == absl::StatusCode::kOutOfRange);
    CHECK(r.status().message() == "ERR value is not an integer or out of range");
    CHECK(g_calls == 1);
  }
  SUBCASE("into an existing variable") {
    CHECK_FALSE(sum(true, false).ok());
    CHECK(g_calls == 2);
  }
  SUBCASE("inside a function returning Status") {
    int64_t v = 0;
    CHECK(assign_into_status_fn(&v).ok());
    CHECK(v == 7);
  }
}
