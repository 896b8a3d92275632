#pragma once
// Idempotency keys: what the job queue keeps so that a client may send a write again, after an
// answer it never got, without the write being taken twice (JobQueue::enqueue_idempotent).
//
// A key is the client's (its `Idempotency-Key` header), scoped to its customer: two customers may
// use the same key for writes of their own. The first write sent with a key stores its job and,
// in the same transaction, the key with a fingerprint of the request and the answer it was given;
// so a crash keeps both or neither, and of two writes racing with one key (on one instance or on
// two sharing PostgreSQL) exactly one stores a job. A later write with the key gets that answer
// again, if it is the same request (same fingerprint), or is told the key was used for another.
// A key is live for as long as its caller says (`live_since`: the service keeps keys 24 hours);
// one kept before that is as if it had never been, and purge_idempotency_keys deletes it.
//
// Times are the caller's RFC 3339 strings, compared as strings, like every time the store keeps
// (clock.hpp), never the database's clock.
#include <functional>
#include <string>
#include <string_view>

namespace gatehouse::store {

/// A write's key, and what the write asked for.
struct IdempotencyKey {
  std::string customer_id;  ///< whose key: keys are scoped per customer
  std::string key;          ///< as the client sent it
  std::string fingerprint;  ///< a digest of the request (method, path, flags, body): the same request, the same
};

/// The answer a write stored under its key is given, made once its job has an id (the answer
/// names the job).
struct AnswerToKeep {
  int status = 202;
  std::function<std::string(std::string_view job_id)> body;
};

/// What became of a write sent with a key.
enum class KeyUse {
  stored,         ///< the key was free: the job is stored and the key keeps its answer
  replayed,       ///< the key holds the answer to this same request: nothing was stored
  used_for_other, ///< the key holds the answer to another request (another fingerprint): nothing was stored
};
std::string_view key_use_name(KeyUse use);  ///< "stored", "replayed", "used_for_other"

struct KeyedWrite {
  KeyUse use = KeyUse::stored;
  std::string job_id;  ///< stored: the new job's; replayed: the first write's; used_for_other: ""
  int status = 0;      ///< stored and replayed: the answer's status (and body below)
  std::string body;
};

}  // namespace gatehouse::store
