// Example: a product catalog with stock. Create products, change a price
// with HINCRBYFLOAT (formatted exactly as Redis formats it), reserve stock
// atomically without scripting, see what remains.
#include <cstdio>
#include <string>

#include <hashstore/store.h>

int main() {
  hashstore::Store store;
  std::puts("== product catalog");
  (void)store.hset("product:SKU001", {{"name", "Coffee mug"}, {"price", "19.99"}, {"stock", "10"}});
  (void)store.hset("product:SKU002", {{"name", "Tea pot"}, {"price", "35.00"}, {"stock", "2"}});

  auto price = store.hincrbyfloat("product:SKU001", "price", 0.5L);
  std::printf("SKU001 price raised by 0.50 -> %s\n", price->c_str());
  hashstore::Reply r = store.execute({"HINCRBYFLOAT", "product:SKU001", "name", "1"});
  std::printf("HINCRBYFLOAT on the name -> %s\n", r.string().c_str());

  for (int amount : {3, 4, 5}) {
    auto left = store.reserve("product:SKU001", "stock", amount);
    if (left.ok() && left->has_value()) {
      std::printf("reserved %d of SKU001, %lld left\n", amount, static_cast<long long>(**left));
    } else {
      std::printf("could not reserve %d of SKU001: only %s left, nothing taken\n", amount,
                  store.hget("product:SKU001", "stock")->c_str());
    }
  }
  auto pot = store.reserve("product:SKU002", "stock", 2);
  std::printf("reserved 2 of SKU002, %lld left\n", static_cast<long long>(**pot));
  std::printf("SKU002 sold out: reserve 1 -> %s\n",
              store.reserve("product:SKU002", "stock", 1)->has_value() ? "taken" : "nil");
  return 0;
}
