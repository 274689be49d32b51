// Printing a hashstore::Reply exactly as `redis-cli --no-raw` 7.0 prints the
// same RESP2 reply (its cliFormatReplyTTY):
//
//   status    the text                       OK
//   error     "(error) " and the text        (error) ERR syntax error
//   integer   "(integer) " and the number    (integer) -3
//   bulk      quoted, escaped (below)        "Alice"
//   nil       (nil)                          (nil)
//   array     (empty array) when empty; else one line per element,
//             "i) " before it, i right-aligned to the width of the largest
//             index; a nested array's lines after its first are indented by
//             the parent's indent plus width + 2 spaces:
//               1) "0"
//               2)  1) "f0"          (the inner array has 10 elements)
//                   2) "v0"
//                  ...
//                  10) "v4"
//
// Bulk escaping (sdscatrepr): \" \\ \n \r \t \a \b, other bytes outside
// 0x20..0x7e as \xHH (lower-case hex). Status and error texts are printed
// as C strings: raw, up to their first NUL byte. Every line ends with \n.
//
// Costs: linear in the size of the output. Nothing here keeps state.
#ifndef HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_
#define HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_

#include <string>
#include <string_view>
#include <vector>

#include <hashstore/reply.h>

namespace hashstore::cli {

// The reply as redis-cli prints it, ending with a newline.
std::string format_reply(const Reply& reply);

// Whether redis-cli prints the reply of the command `args` raw even
// without --raw (its own list: INFO, MEMORY DOCTOR / MALLOC-STATS, LATENCY
// DOCTOR / GRAPH, DEBUG HTSTATS / HTSTATS-KEY, CLIENT LIST / INFO, CLUSTER
// NODES / INFO, PROXY INFO).
bool prints_raw(const std::vector<std::string>& args);

// The reply as redis-cli prints it raw: a string's bytes as they are (an
// error's text without "(error) "), an integer's digits, array elements
// one per line; a newline is added unless the text is empty or already
// ends with one (INFO's text ends with "\r\n": nothing is added).
std::string format_reply_raw(const Reply& reply);

// s quoted and escaped as redis-cli prints a bulk string (no newline).
std::string quote(std::string_view s);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_
