// The sequence tasks of the transformer milestone: a small GPT learns to reverse or to copy a
// string of digits, which needs attention to positions (no fixed window of previous characters
// can solve them). Sequences are a1..aL SEP b1..bL with b = reverse(a) or a; the loss covers the
// b tokens only; accuracy is the fraction of held-out sequences whose b is generated exactly
// (greedy, with the KV cache).
#pragma once
#include "milestones/milestone.h"

namespace tt::milestones {

enum class SequenceTask { Reverse, Copy };

struct SequenceTaskResult {
  double sequence_accuracy = 0;  // exact b over 1000 held-out sequences
  double token_accuracy = 0;     // per b token
  double seconds = 0;
};

SequenceTaskResult run_sequence_task(SequenceTask task, const MilestoneArgs& a);

}  // namespace tt::milestones
