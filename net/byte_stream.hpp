#pragma once
// Internal to net/ (not for users of the library): one stream type for plain TCP and for TLS over
// TCP. Beast's HTTP operations are then compiled once, for this type, instead of once per
// transport; the TLS operations are compiled once, in byte_stream.cpp. That halves the build time
// of the client and the server.
#include <array>
#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}

namespace motcua::net::detail {

// The first few buffers of a buffer sequence, by value. A read_some or write_some may transfer
// less than asked, so passing on only a prefix of a long sequence keeps their meaning.
template <class Buffer>
class BufferPrefix {
 public:
  BufferPrefix() = default;
  template <class Sequence>
  explicit BufferPrefix(const Sequence& sequence) {
    for (auto it = boost::asio::buffer_sequence_begin(sequence);
         it != boost::asio::buffer_sequence_end(sequence) && count_ < items_.size(); ++it)
      items_[count_++] = Buffer(*it);
  }
  const Buffer* begin() const { return items_.data(); }
  const Buffer* end() const { return items_.data() + count_; }

 private:
  std::array<Buffer, 8> items_{};
  std::size_t count_ = 0;
};

// A completion handler behind one type, bound to the executor it must run on. (Boost 1.81's
// any_completion_handler would do, but its executor type cannot be required to never block, which
// Beast's timeouts need.) Per-operation cancellation slots are not carried over: net/ cancels
// through timeouts and closing.
template <class... Args>
class ErasedHandler {
 public:
  using executor_type = boost::asio::any_io_executor;

  template <class Handler>
  ErasedHandler(Handler handler, executor_type executor)
      : executor_(std::move(executor)),
        call_(std::make_unique<Model<Handler>>(std::move(handler))) {}

  executor_type get_executor() const noexcept { return executor_; }

  void operator()(Args... args) {
    auto call = std::move(call_);
    call->invoke(std::move(args)...);
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void invoke(Args... args) = 0;
  };
  template <class Handler>
  struct Model final : Concept {
    explicit Model(Handler h) : handler(std::move(h)) {}
    void invoke(Args... args) override { std::move(handler)(std::move(args)...); }
    Handler handler;
  };

  executor_type executor_;
  std::unique_ptr<Concept> call_;
};

class ByteStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using IoHandler = ErasedHandler<boost::system::error_code, std::size_t>;
  using Handler = ErasedHandler<boost::system::error_code>;
  enum class Role { client, server };

  // Plain TCP.
  explicit ByteStream(boost::beast::tcp_stream tcp);
  // TLS over `tcp` with the settings of `context`, which must outlive the stream; shake hands
  // before reading or writing.
  ByteStream(boost::beast::tcp_stream tcp, boost::asio::ssl::context& context);
  ~ByteStream();
  ByteStream(ByteStream&&) noexcept;
  ByteStream& operator=(ByteStream&&) noexcept;

  executor_type get_executor() noexcept;
  // The TCP stream underneath, for timeouts and closing.
  boost::beast::tcp_stream& lowest() noexcept;
  // OpenSSL's handle for SNI and verification settings; nullptr for plain TCP.
  ssl_st* tls_handle() noexcept;

  template <class Token>
  auto async_handshake(Role role, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, Role r) {
          auto executor = boost::asio::get_associated_executor(handler, get_executor());
          start_handshake(r, Handler(std::move(handler), std::move(executor)));
        },
        token, role);
  }

  // AsyncReadStream and AsyncWriteStream, as Beast's HTTP operations require.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const BufferPrefix<boost::asio::mutable_buffer>& prefix) {
          auto executor = boost::asio::get_associated_executor(handler, get_executor());
          start_read(prefix, IoHandler(std::move(handler), std::move(executor)));
        },
        token, BufferPrefix<boost::asio::mutable_buffer>(buffers));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const BufferPrefix<boost::asio::const_buffer>& prefix) {
          auto executor = boost::asio::get_associated_executor(handler, get_executor());
          start_write(prefix, IoHandler(std::move(handler), std::move(executor)));
        },
        token, BufferPrefix<boost::asio::const_buffer>(buffers));
  }

 private:
  struct Transport;

  void start_handshake(Role role, Handler handler);
  void start_read(const BufferPrefix<boost::asio::mutable_buffer>& buffers, IoHandler handler);
  void start_write(const BufferPrefix<boost::asio::const_buffer>& buffers, IoHandler handler);

  std::unique_ptr<Transport> transport_;
};

}  // namespace motcua::net::detail
