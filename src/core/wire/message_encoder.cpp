#include "wire/message_encoder.hpp"

#include <type_traits>

#include "wire/byte_order.hpp"

namespace tessera::wire {
namespace {

using detail::put_u16;
using detail::put_u32;
using detail::put_u8;

void put_header(std::string& out, std::size_t payload_size, MessageId id) {
  put_u32(out, static_cast<std::uint32_t>(1 + payload_size));
  put_u8(out, static_cast<std::uint8_t>(id));
}

void put_triple(std::string& out, MessageId id, std::uint32_t piece, std::uint32_t begin,
                std::uint32_t length) {
  put_header(out, 12, id);
  put_u32(out, piece);
  put_u32(out, begin);
  put_u32(out, length);
}

}  // namespace

void append_piece_header(std::string& out, std::uint32_t piece, std::uint32_t begin, std::uint32_t length) {
  put_u32(out, 9 + length);
  put_u8(out, static_cast<std::uint8_t>(MessageId::piece));
  put_u32(out, piece);
  put_u32(out, begin);
}

void append_message(std::string& out, const Message& m) {
  std::visit(
      [&out](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, KeepAlive>) {
          put_u32(out, 0);
        } else if constexpr (std::is_same_v<T, Choke>) {
          put_header(out, 0, MessageId::choke);
        } else if constexpr (std::is_same_v<T, Unchoke>) {
          put_header(out, 0, MessageId::unchoke);
        } else if constexpr (std::is_same_v<T, Interested>) {
          put_header(out, 0, MessageId::interested);
        } else if constexpr (std::is_same_v<T, NotInterested>) {
          put_header(out, 0, MessageId::not_interested);
        } else if constexpr (std::is_same_v<T, Have>) {
          put_header(out, 4, MessageId::have);
          put_u32(out, msg.piece);
        } else if constexpr (std::is_same_v<T, BitfieldMsg>) {
          const std::string_view bytes = msg.bits.bytes();
          put_header(out, bytes.size(), MessageId::bitfield);
          out.append(bytes);
        } else if constexpr (std::is_same_v<T, Request>) {
          put_triple(out, MessageId::request, msg.piece, msg.begin, msg.length);
        } else if constexpr (std::is_same_v<T, Piece>) {
          append_piece_header(out, msg.piece, msg.begin, static_cast<std::uint32_t>(msg.data.size()));
          out.append(msg.data);
        } else if constexpr (std::is_same_v<T, Cancel>) {
          put_triple(out, MessageId::cancel, msg.piece, msg.begin, msg.length);
        } else if constexpr (std::is_same_v<T, Port>) {
          put_header(out, 2, MessageId::port);
          put_u16(out, msg.port);
        } else if constexpr (std::is_same_v<T, Suggest>) {
          put_header(out, 4, MessageId::suggest);
          put_u32(out, msg.piece);
        } else if constexpr (std::is_same_v<T, HaveAll>) {
          put_header(out, 0, MessageId::have_all);
        } else if constexpr (std::is_same_v<T, HaveNone>) {
          put_header(out, 0, MessageId::have_none);
        } else if constexpr (std::is_same_v<T, Reject>) {
          put_triple(out, MessageId::reject, msg.piece, msg.begin, msg.length);
        } else if constexpr (std::is_same_v<T, AllowedFast>) {
          put_header(out, 4, MessageId::allowed_fast);
          put_u32(out, msg.piece);
        } else if constexpr (std::is_same_v<T, Extended>) {
          put_header(out, 1 + msg.payload.size(), MessageId::extended);
          put_u8(out, msg.id);
          out.append(msg.payload);
        } else {
          static_assert(std::is_same_v<T, Unknown>);
          put_u32(out, 1);
          put_u8(out, msg.id);
        }
      },
      m);
}

}  // namespace tessera::wire
