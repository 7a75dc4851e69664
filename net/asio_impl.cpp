// The one translation unit that compiles Asio, Asio SSL and Beast (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are public definitions of motcua_net), so that every other
// source only parses their declarations: the build stays fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>

// With -fsanitize=address,undefined GCC 12 reports a false "may be used uninitialized" for the
// boost::optional returned by Beast's basic_parser::content_length_unchecked. The optimizer
// raises it after inlining, so it escapes the usual silence of system headers; it is silenced
// here, for Beast's own code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/src.hpp>
#pragma GCC diagnostic pop
