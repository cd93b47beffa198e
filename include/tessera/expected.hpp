// tessera::expected — std::expected where the standard library provides it (GCC 12 in C++23
// mode), and a minimal stand-in otherwise. The stand-in exists only because clang 14, which we
// need for libFuzzer, cannot use libstdc++'s <expected>; it covers the subset Tessera uses.
#pragma once

#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
namespace tessera {
using std::expected;
using std::unexpected;
}  // namespace tessera
#else
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace tessera {

template <class E>
class unexpected {
 public:
  constexpr explicit unexpected(E e) : error_(std::move(e)) {}
  constexpr const E& error() const& noexcept { return error_; }
  constexpr E& error() & noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};
template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
 public:
  using value_type = T;
  using error_type = E;

  constexpr expected() requires std::is_default_constructible_v<T> : state_(std::in_place_index<0>) {}
  template <class U = T>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::remove_cvref_t<U>, expected>)
  constexpr expected(U&& v) : state_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  constexpr expected(const unexpected<G>& u) : state_(std::in_place_index<1>, u.error()) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : state_(std::in_place_index<1>, std::move(u).error()) {}

  constexpr bool has_value() const noexcept { return state_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & { check(); return *std::get_if<0>(&state_); }
  constexpr const T& value() const& { check(); return *std::get_if<0>(&state_); }
  constexpr T&& value() && { check(); return std::move(*std::get_if<0>(&state_)); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T&& operator*() && { return std::move(*this).value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }

  constexpr const E& error() const& { return *std::get_if<1>(&state_); }
  constexpr E& error() & { return *std::get_if<1>(&state_); }
  constexpr E&& error() && { return std::move(*std::get_if<1>(&state_)); }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  constexpr void check() const {
    if (!has_value()) std::abort();  // no exceptions in the fallback: misuse is a bug
  }
  std::variant<T, E> state_;
};

template <class E>
class expected<void, E> {
 public:
  constexpr expected() = default;
  template <class G>
  constexpr expected(const unexpected<G>& u) : error_(u.error()), ok_(false) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : error_(std::move(u).error()), ok_(false) {}
  constexpr bool has_value() const noexcept { return ok_; }
  constexpr explicit operator bool() const noexcept { return ok_; }
  constexpr void value() const {
    if (!ok_) std::abort();
  }
  constexpr const E& error() const& { return error_; }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace tessera
#endif
