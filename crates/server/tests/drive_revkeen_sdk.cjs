// The vendor's own TypeScript SDK (npm @revkeen/sdk, a client nobody here wrote) drives the
// catalogue over real HTTP: products and prices created, listed, read, changed and archived; a
// refusal; another merchant's client that sees none of it. Prints what came back as JSON.
// Run by tests/revkeen_sdk.rs with PAYLINKS_REVKEEN_SDK (the package's folder), PAYLINKS_BASE,
// PAYLINKS_KEY and PAYLINKS_OTHER_KEY.
const { RevKeen } = require(process.env.PAYLINKS_REVKEEN_SDK);

const baseUrl = `${process.env.PAYLINKS_BASE}/v2`;
const client = new RevKeen({ apiKey: process.env.PAYLINKS_KEY, baseUrl });
const other = new RevKeen({ apiKey: process.env.PAYLINKS_OTHER_KEY, baseUrl });

// A refusal as the SDK reports it: its status and the body.
async function refusal(call) {
  try {
    return { succeeded: await call() };
  } catch (e) {
    return { status: e.status, body: e.body, name: e.name };
  }
}

(async () => {
  const out = {};
  out.created = await client.products.create({
    product_id: "sdk-tee", name: "SDK tee", kind: "one_time", pricing_model: "one_time",
    amount_minor: 2500, currency: "usd", metadata: { sku: "T-1" },
  });
  const id = out.created.data.id;
  out.got = await client.products.get(id);
  out.listed = await client.products.list({ limit: 10, search: "sdk" });
  out.updated = await client.products.update(id, { name: "SDK tee (organic)", description: "Cotton" });
  out.price = await client.prices.create({ product_id: id, unit_amount: 3000, nickname: "Large", lookup_key: "sdk-tee-l" });
  out.pwyw = await client.prices.create({
    product_id: id, pricing_model: "pay_what_you_want", minimum_amount: 500, suggested_amount: 1500, preset_amounts: [500, 1500],
  });
  out.prices = await client.prices.list({ product_id: id, limit: 10 });
  out.by_key = await client.prices.list({ lookup_key: "sdk-tee-l" });
  out.price_got = await client.prices.get(out.price.id);
  out.price_updated = await client.prices.update(out.price.id, { nickname: "L", metadata: { size: "L" } });
  out.archived = await client.prices.archive(out.price.id);
  out.tiered = await refusal(() => client.prices.create({
    product_id: id, billing_scheme: "tiered", tiers_mode: "volume",
    tiers: [{ up_to: 10, unit_amount_minor: 100, flat_amount_minor: null }, { up_to: null, unit_amount_minor: 80, flat_amount_minor: null }],
  }));
  out.usage = await refusal(() => client.products.create({
    product_id: "meter", name: "Metered", kind: "usage", pricing_model: "usage", amount_minor: 1, usage_meter_id: "m_1",
  }));
  out.hidden = await refusal(() => other.products.get(id));
  out.hidden_price = await refusal(() => other.prices.get(out.pwyw.id));
  out.other_list = await other.products.list();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
