#pragma once
// Gatehouse's record ids: the id a client names a cached record by, minted by the store the first
// time it sees a record (integration, model, PMS id) and kept for it ever after.
//
// A PMS's own ids are small integers that repeat across PMSs (two Rent Manager integrations both
// have tenant 5001), so they cannot name a record across integrations; and an id a client could
// guess would let it probe for other customers' records. So an id is 128 bits from the operating
// system's CSPRNG (getrandom(2)), nothing else in it: "rec_" and 32 lowercase hex digits.
#include <string>

namespace gatehouse::store {

/// A new record id, "rec_" + 32 hex digits. Throws std::runtime_error when the kernel gives no
/// randomness (getrandom fails other than by an interrupt), never a weaker id.
std::string new_record_id();

}  // namespace gatehouse::store
