// The explicit milestone list.
#include "milestones/milestone.h"

namespace tt::milestones {

const std::vector<Milestone>& milestones() {
  static const std::vector<Milestone> list = {
      {"perceptron", 1958, "Rosenblatt's perceptron",
       "learning rule and a sigmoid neuron reach 100% train accuracy on separable 2-D clusters", run_perceptron},
      {"xor", 1969, "Minsky & Papert's XOR crisis",
       "a single layer stays <= 75%; a 2-layer MLP reaches 100% on 10 of 10 seeds", run_xor},
      {"mlp", 1986, "Backpropagation (Rumelhart, Hinton & Williams)",
       "MLP >= 97% on MNIST-10k test and >= 89% on Fashion-MNIST test", run_mlp},
      {"cnn", 1998, "Convolutional networks (LeCun, Bottou, Bengio & Haffner)",
       "LeNet-style CNN >= 98.5% on MNIST-10k test and >= 91% on Fashion-MNIST test", run_cnn},
      {"transformer", 2017, "Attention is all you need (Vaswani et al.)",
       "char GPT on KJV: val loss <= 1.30 nats/char in <= 10 min, >= 0.8 below the bigram baseline; causal; "
       "reverse and copy > 95%", run_transformer},
  };
  return list;
}

}  // namespace tt::milestones
