#include "net/byte_stream.hpp"

#include <utility>
#include <variant>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace motcua::net::detail {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct ByteStream::Transport {
  explicit Transport(beast::tcp_stream tcp)
      : stream(std::in_place_type<beast::tcp_stream>, std::move(tcp)) {}
  Transport(beast::tcp_stream tcp, ssl::context& context)
      : stream(std::in_place_type<TlsStream>, std::move(tcp), context) {}

  std::variant<beast::tcp_stream, TlsStream> stream;
};

ByteStream::ByteStream(beast::tcp_stream tcp)
    : transport_(std::make_unique<Transport>(std::move(tcp))) {}

ByteStream::ByteStream(beast::tcp_stream tcp, ssl::context& context)
    : transport_(std::make_unique<Transport>(std::move(tcp), context)) {}

ByteStream::~ByteStream() = default;
ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream& ByteStream::operator=(ByteStream&&) noexcept = default;

ByteStream::executor_type ByteStream::get_executor() noexcept {
  return lowest().get_executor();
}

beast::tcp_stream& ByteStream::lowest() noexcept {
  return std::visit(
      [](auto& stream) -> beast::tcp_stream& { return beast::get_lowest_layer(stream); },
      transport_->stream);
}

ssl_st* ByteStream::tls_handle() noexcept {
  auto* tls = std::get_if<TlsStream>(&transport_->stream);
  return tls ? tls->native_handle() : nullptr;
}

void ByteStream::start_handshake(Role role, Handler handler) {
  auto* tls = std::get_if<TlsStream>(&transport_->stream);
  if (!tls) {
    // Plain TCP has no handshake: complete at once, through the handler's executor.
    auto executor = handler.get_executor();
    boost::asio::post(executor, [handler = std::move(handler)]() mutable {
      std::move(handler)(boost::system::error_code());
    });
    return;
  }
  tls->async_handshake(role == Role::client ? ssl::stream_base::client : ssl::stream_base::server,
                       std::move(handler));
}

void ByteStream::start_read(const BufferPrefix<boost::asio::mutable_buffer>& buffers,
                            IoHandler handler) {
  std::visit([&](auto& stream) { stream.async_read_some(buffers, std::move(handler)); },
             transport_->stream);
}

void ByteStream::start_write(const BufferPrefix<boost::asio::const_buffer>& buffers,
                             IoHandler handler) {
  std::visit([&](auto& stream) { stream.async_write_some(buffers, std::move(handler)); },
             transport_->stream);
}

}  // namespace motcua::net::detail
