#pragma once
// Result<T>: what a store call gives back, its value or the reason the store could not give it.
//
// The store's errors are values: a caller sees in the signature that a call can fail, and
// decides there what a failure means (the request path answers 503 `store_unavailable`, the
// dispatcher's loops wait and try again). Nothing is thrown across the store's interface.
//
// It is the part of C++23's std::expected the store needs, for C++20: has_value(), value(),
// error(), operator* and ->, value_or(). value() on an error throws StoreUnavailable (or
// std::invalid_argument), as std::expected's throws bad_expected_access: for callers, such as
// tests, for which a failing store is a failure of their own.
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace gatehouse::store {

/// The database did not do what was asked (SQLite's disk full or locked, PostgreSQL stopped or
/// unreachable): a passing condition, which the service answers with 503 `store_unavailable` and
/// its loops retry. What Result::value() throws for a StoreError::Kind::unavailable error.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoreError {
  enum class Kind {
    unavailable,       ///< the database failed: retry later (503)
    invalid_argument,  ///< the caller asked for something that cannot be (no such parent job)
  };
  Kind kind = Kind::unavailable;
  std::string message;

  static StoreError unavailable(std::string message) { return {Kind::unavailable, std::move(message)}; }
  static StoreError invalid_argument(std::string message) { return {Kind::invalid_argument, std::move(message)}; }
  /// Throws it as the exception value() throws.
  [[noreturn]] void raise() const {
    if (kind == Kind::invalid_argument) throw std::invalid_argument(message);
    throw StoreUnavailable(message);
  }
};

template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, StoreError>, "a Result holds a value or a StoreError");

 public:
  Result(StoreError error) : v_(std::in_place_index<1>, std::move(error)) {}
  /// Anything a T is made from (a std::nullopt for a Result<std::optional<X>>, a string literal).
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, StoreError> &&
             !std::is_same_v<std::remove_cvref_t<U>, Result>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return has_value() ? std::get<0>(v_) : (error().raise(), std::get<0>(v_)); }
  const T& value() const& { return has_value() ? std::get<0>(v_) : (error().raise(), std::get<0>(v_)); }
  T&& value() && { return std::move(value()); }

  /// The error; only when !has_value().
  const StoreError& error() const { return std::get<1>(v_); }

  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::move(std::get<0>(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, StoreError> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(StoreError error) : error_(std::move(error)), failed_(true) {}

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  /// Throws the error, if there is one.
  void value() const {
    if (failed_) error_.raise();
  }
  const StoreError& error() const { return error_; }

 private:
  StoreError error_;
  bool failed_ = false;
};

/// Runs `body` (which may throw StoreUnavailable or std::invalid_argument from deep inside a
/// store's implementation) and gives what it returned, or the error it threw, as a Result: how a
/// store keeps exceptions on its own side of its interface.
template <class F>
auto guarded(F&& body) -> Result<std::invoke_result_t<F>> {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      std::forward<F>(body)();
      return {};
    } else {
      return std::forward<F>(body)();
    }
  } catch (const StoreUnavailable& e) {
    return StoreError::unavailable(e.what());
  } catch (const std::invalid_argument& e) {
    return StoreError::invalid_argument(e.what());
  }
}

}  // namespace gatehouse::store
