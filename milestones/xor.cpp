// Milestone 1969: the XOR crisis. Minsky & Papert showed a single-layer perceptron cannot compute
// XOR (it is not linearly separable: at best 3 of 4 points, 75%). A hidden layer fixes it: a
// 2-8-1 MLP with tanh, trained by backpropagation, must solve XOR from 10 of 10 random seeds.
#include "milestones/milestone.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "tinytorch.h"

namespace tt::milestones {
namespace {

double train_and_score(nn::Module& model, const Tensor& x, const Tensor& y, int64_t steps, double lr) {
  optim::Adam opt(model.parameters(), {{"lr", lr}});
  for (int64_t s = 0; s < steps; ++s) {
    Tensor loss = nn::functional::binary_cross_entropy_with_logits(model(x).squeeze(1), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  NoGradGuard ng;
  Tensor pred = (model(x).squeeze(1) > 0.0).to(kFloat32);
  return mean((pred == y).to(kFloat32)).item<double>();
}

}  // namespace

MilestoneResult run_xor(const MilestoneArgs& a) {
  Tensor x = tensor({{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}});
  Tensor y = tensor({0.f, 1.f, 1.f, 0.f});
  int64_t steps = a.epochs > 0 ? a.epochs : 2000;
  Generator g(a.seed + 1969);
  nn::Linear single(2, 1, true, &g);
  double single_acc = train_and_score(single, x, y, steps, 0.05);
  int solved = 0;
  double acc_sum = 0;
  for (int s = 0; s < 10; ++s) {
    Generator gs(a.seed * 100 + s);
    nn::Sequential mlp{std::make_shared<nn::Linear>(2, 8, true, &gs), std::make_shared<nn::Tanh>(),
                       std::make_shared<nn::Linear>(8, 1, true, &gs)};
    double acc = train_and_score(mlp, x, y, steps, 0.05);
    acc_sum += acc;
    solved += acc == 1.0;
  }
  MilestoneResult r;
  r.metrics = {{"single_layer_accuracy", single_acc}, {"mlp_accuracy", acc_sum / 10}, {"mlp_seeds_solved", solved}};
  r.passed = single_acc <= 0.75 && solved == 10;
  return r;
}

}  // namespace tt::milestones
