// Names and flags generated from the op list, and the observer hook's state.
#include "ops/op_list.h"

#include "ops/op_record.h"

namespace tt::ops {
namespace {
constexpr const char* kNames[] = {
#define TT_OP_NAME(name, diff) #name,
    TT_OP_LIST(TT_OP_NAME)
#undef TT_OP_NAME
};
constexpr bool kDiff[] = {
#define TT_OP_DIFF(name, diff) diff,
    TT_OP_LIST(TT_OP_DIFF)
#undef TT_OP_DIFF
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kNumOps, "op name table out of sync with TT_OP_LIST");
thread_local bool t_in_backward = false;
}  // namespace

const char* op_name(OpId id) { return kNames[static_cast<int>(id)]; }
bool op_differentiable(OpId id) { return kDiff[static_cast<int>(id)]; }

OpObserver g_op_observer = nullptr;
void* g_op_observer_ctx = nullptr;
void set_op_observer(OpObserver fn, void* ctx) {
  g_op_observer_ctx = ctx;
  g_op_observer = fn;
}
bool in_backward_pass() { return t_in_backward; }
void set_in_backward_pass(bool on) { t_in_backward = on; }

}  // namespace tt::ops
