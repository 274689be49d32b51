// The command table: every command Store::execute() understands, with its
// Redis arity, and the argument parsing that turns strings into calls on the
// Store. Errors are Redis 7's texts, checked in Redis's order (arity, then
// argument syntax, then values), and a command that fails changes nothing.
//
// Arity follows Redis's convention: n > 0 means exactly n arguments
// (command name included), n < 0 means at least -n.
#ifndef HASHSTORE_COMMAND_COMMAND_H_
#define HASHSTORE_COMMAND_COMMAND_H_

#include <span>
#include <string_view>

#include <hashstore/reply.h>
#include <hashstore/store.h>

namespace hashstore::internal {

// Runs one command; args[0] is its name (any case).
Reply execute_command(Store& store, std::span<const std::string_view> args);

}  // namespace hashstore::internal

#endif  // HASHSTORE_COMMAND_COMMAND_H_
