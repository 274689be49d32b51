// Printing a Reply exactly as `redis-cli --no-raw` prints it:
//   (integer) 1        "Alice"        (nil)        OK        (error) ERR ...
//   (empty array)      numbered arrays, the index padded to the width of the
//   largest index, nested arrays indented under their index:
//     1) 1) "a"
//        2) "b"
// Bulk strings are quoted with redis-cli's escaping: \" \\ \n \r \t \a \b,
// other non-printable bytes as \xHH.
#ifndef HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_
#define HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_

#include <string>
#include <string_view>

#include <hashstore/reply.h>

namespace hashstore::cli {

// The reply as redis-cli prints it, ending with a newline.
std::string format_reply(const Reply& reply);

// s quoted as redis-cli quotes bulk strings.
std::string quote(std::string_view s);

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_REPLY_PRINTER_H_
