import { PRODUCT_ID_PATTERN } from '../../domain/product-id.js';
import { responses, type JsonObject, type OpenApiPart } from '../../lib/http/openapi.js';

// The contract of the analytics API. Every answer is JSON by default and CSV (a header row, RFC
// 4180 quoting) when `Accept` prefers `text/csv`; both carry a weak ETag derived from the data
// watermark and the parameters.

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

const TAG = 'analytics';

const MONEY =
  'Exact to the cent: computed from integer cents and written from their decimal string (a JSON number prints it back exactly up to 15 significant digits; CSV carries the decimal string).';

const money = (description: string): JsonObject => ({
  type: 'number',
  description: `${description} ${MONEY}`,
});
const count = (description: string): JsonObject => ({ type: 'integer', minimum: 0, description });
const text = (description: string): JsonObject => ({ type: 'string', description });
/** From the imported countries reference data (Postgres), read per request, never cached. */
const countryName = (whose: string): JsonObject => ({
  type: ['string', 'null'],
  description: `${whose} name in the countries reference data; \`null\` when no import has named the country.`,
});
const continent = (whose: string): JsonObject => ({
  type: ['string', 'null'],
  description: `${whose} continent in the countries reference data; \`null\` when the country is not there or has none.`,
});
const day = (description: string): JsonObject => ({ type: 'string', format: 'date', description });
const share = (description: string): JsonObject => ({
  type: ['number', 'null'],
  description: `${description} Percent with two decimals, rounded half up; \`null\` when the total is 0.`,
});

const query = (name: string, required: boolean, description: string, schema: JsonObject) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});

/** Date-times carry `:` (and `+` as `%2B`); `allowReserved` lets clients send `:` unencoded. */
const dateQuery = (name: string, required: boolean, description: string) => ({
  ...query(name, required, description, dateSchema),
  allowReserved: true,
});

/** Dates are checked by the handler (real calendar days, order), which names the parameter. */
const dateSchema: JsonObject = { type: 'string', maxLength: 40, examples: ['2025-01-31'] };

const salesDate = (name: 'start_date' | 'end_date') =>
  dateQuery(
    name,
    true,
    name === 'start_date'
      ? 'First day `YYYY-MM-DD` (a whole UTC day), or an instant with a zone (`2025-01-01T06:30:00Z`, inclusive).'
      : 'Last day `YYYY-MM-DD` (the whole UTC day is included), or an instant with a zone (inclusive to the second).',
  );

const wholeDay = (name: 'start_date' | 'end_date', required: boolean, extra = '') =>
  dateQuery(
    name,
    required,
    `${name === 'start_date' ? 'First' : 'Last'} UTC day, inclusive, \`YYYY-MM-DD\`. Whole days only: this answer comes from daily aggregates, so a date-time is refused (400).${extra}`,
  );

const limit = (fallback: number, max: number, what: string) =>
  query('limit', false, `How many ${what} at most.`, {
    type: 'integer',
    minimum: 1,
    maximum: max,
    default: fallback,
  });

/** ajv's `uuid` format also takes `urn:uuid:…`; `maxLength` keeps it out. */
const uuidParam = (name: string, required: boolean, description: string) =>
  query(name, required, description, { type: 'string', format: 'uuid', maxLength: 36 });

const productParam = (required: boolean, description: string) =>
  query('product_id', required, description, {
    type: 'string',
    pattern: PRODUCT_ID_PATTERN,
    maxLength: 100,
  });

const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'ETags of answers the client holds (or `*`); a match gives 304 without a body.',
  schema: { type: 'string' },
};
const accept = {
  name: 'Accept',
  in: 'header',
  required: false,
  description:
    '`application/json` (the default) or `text/csv` (a header row, then one line per row; RFC 4180 quoting; money as exact decimal strings).',
  schema: { type: 'string' },
};

const headers = {
  ETag: {
    description:
      'Weak validator of this answer: changes when any row reaches ClickHouse, a parameter changes or a name it shows (country reference data) changes.',
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: '`no-cache`: keep the answer, but revalidate it before each use.',
    schema: { type: 'string' },
  },
  Vary: {
    description: '`Accept`: JSON and CSV are different answers.',
    schema: { type: 'string' },
  },
};

interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly JsonObject[];
  readonly schema: string;
  readonly csv: string;
  readonly notFound?: string;
}

function get(op: Operation): JsonObject {
  return {
    get: {
      tags: [TAG],
      operationId: op.operationId,
      summary: op.summary,
      description: op.notFound ? `${op.description} 404 when: ${op.notFound}` : op.description,
      parameters: [...op.parameters, accept, ifNoneMatch],
      responses: {
        '200': {
          description: 'The answer, as of the data now in ClickHouse.',
          headers,
          content: {
            'application/json': { schema: ref(op.schema) },
            'text/csv': { schema: { type: 'string', description: op.csv } },
          },
        },
        '304': {
          description: 'The answer the client holds (its ETag matched) is current.',
          headers,
        },
        '400': responses.badRequest,
        ...(op.notFound ? { '404': responses.notFound } : {}),
        '406': responses.notAcceptable,
        '503': responses.unavailable,
      },
    },
  };
}

const SALES_RANGE =
  'Sale lines paid in the range. Whole days are read from daily aggregates; when date-times cut a day, that partial day is read from the raw sale lines, so the answer is exact to the second.';

const paths: JsonObject = {
  '/total_spent': get({
    operationId: 'getTotalSpent',
    summary: 'Revenue of the sale lines paid in a period (seed 000).',
    description: SALES_RANGE,
    parameters: [salesDate('start_date'), salesDate('end_date')],
    schema: 'TotalSpent',
    csv: 'Columns `total_spent`.',
  }),
  '/top_products': get({
    operationId: 'getTopProducts',
    summary: 'Products with the most units sold in a period (seed 000).',
    description: `${SALES_RANGE} Ordered by units sold, most first, then product id.`,
    parameters: [salesDate('start_date'), salesDate('end_date'), limit(10, 100, 'products')],
    schema: 'TopProducts',
    csv: 'Columns `product_id,total_quantity`.',
  }),
  '/top_suppliers': get({
    operationId: 'getTopSuppliers',
    summary: 'Sellers with the most distinct orders (seed 000), all time by default.',
    description:
      'Distinct orders and revenue per seller from daily aggregates; most orders first, then seller id.',
    parameters: [
      wholeDay('start_date', false, ' Absent: from the first sale.'),
      wholeDay('end_date', false, ' Absent: up to the last sale.'),
      limit(5, 100, 'sellers'),
    ],
    schema: 'TopSuppliers',
    csv: 'Columns `seller_id,order_count,revenue`.',
  }),
  '/feedback': get({
    operationId: 'getFeedback',
    summary: 'The three most common sale categories, with their revenue (seed 003).',
    description:
      'Categories by number of sale lines, most first, then name; all time unless days are given.',
    parameters: [
      wholeDay('start_date', false, ' Absent: from the first sale.'),
      wholeDay('end_date', false, ' Absent: up to the last sale.'),
    ],
    schema: 'Feedback',
    csv: 'Columns `category,count,total_revenue`.',
  }),
  '/analytics/countries': get({
    operationId: 'getCountryContribution',
    summary: "Each country's share of revenue and of units sold (seed 003).",
    description:
      'By seller country (default) or buyer country; highest revenue first, then country.',
    parameters: [
      wholeDay('start_date', true),
      wholeDay('end_date', true),
      query('by', false, "Which country of a sale counts: the seller's or the buyer's.", {
        type: 'string',
        enum: ['seller', 'buyer'],
        default: 'seller',
      }),
    ],
    schema: 'CountryContribution',
    csv: 'Columns `country,revenue,revenue_share,items,items_share,country_name,continent`.',
  }),
  '/analytics/countries/top-pair': get({
    operationId: 'getTopCountryPair',
    summary: 'The two countries with the highest revenue between them (seed 003).',
    description:
      'Sales either way count (seller in one, buyer in the other); sales within one country do not. Ties go to the alphabetically first pair.',
    parameters: [wholeDay('start_date', true), wholeDay('end_date', true)],
    schema: 'CountryPair',
    csv: 'Columns `country_a,country_b,revenue,country_a_name,country_a_continent,country_b_name,country_b_continent`.',
    notFound: 'No sale between two different countries in the range.',
  }),
  '/analytics/repeat-buyers': get({
    operationId: 'getRepeatBuyerRevenue',
    summary: 'Revenue of repeat buyers, week over week (seed 003).',
    description:
      "Week 1 is the 7 whole days from `week_start`, week 2 the 7 days after. A repeat buyer placed at least two distinct orders in those 14 days; each week counts those buyers' revenue in that week.",
    parameters: [dateQuery('week_start', true, 'First day of week 1, `YYYY-MM-DD` (any weekday).')],
    schema: 'RepeatBuyers',
    csv: 'Columns `repeat_buyers,week_1_start,week_1_end,week_1_revenue,week_2_start,week_2_end,week_2_revenue,change,change_pct`.',
  }),
  '/analytics/stock-flow': get({
    operationId: 'getStockFlow',
    summary: 'Units in and out per period, warehouse and product.',
    description:
      'From daily aggregates of stock changes: inbound = arrivals, outbound = departures (stock counts are not flow; rows with neither are left out). Ordered by period, warehouse, product.',
    parameters: [
      wholeDay('start_date', true),
      wholeDay('end_date', true),
      query(
        'granularity',
        false,
        '`day`, `week` (Monday to Sunday, labelled by its Monday) or `month` (labelled by its first day). `hour` is refused: the data is daily.',
        { type: 'string', maxLength: 16, default: 'day', examples: ['week'] },
      ),
      uuidParam('warehouse_id', false, 'Only this warehouse.'),
      productParam(false, 'Only this product.'),
      limit(1000, 10000, 'rows'),
    ],
    schema: 'StockFlow',
    csv: 'Columns `period,warehouse_id,product_id,inbound,outbound`.',
  }),
  '/analytics/routes': get({
    operationId: 'getRouteTransit',
    summary: 'Completed movements per route: transit time quantiles and units lost.',
    description:
      'Movements completed (arrived) in the days, per sender → receiver; most movements first, then ids.',
    parameters: [
      wholeDay('start_date', true, ' Days are arrival days.'),
      wholeDay('end_date', true, ' Days are arrival days.'),
      uuidParam('sender_warehouse_id', false, 'Only routes from this warehouse.'),
      uuidParam('receiver_warehouse_id', false, 'Only routes to this warehouse.'),
      limit(100, 1000, 'routes'),
    ],
    schema: 'RouteTransit',
    csv: 'Columns `sender_warehouse_id,receiver_warehouse_id,movements,transit_p50_seconds,transit_p90_seconds,transit_p99_seconds,sent,received,lost`.',
  }),
  '/analytics/in-transit': get({
    operationId: 'getInTransit',
    summary: 'Units on the way now, per sender warehouse and product.',
    description: 'Departed and not yet arrived; only positive amounts, most units first, then ids.',
    parameters: [
      uuidParam('warehouse_id', false, 'Only goods sent from this warehouse.'),
      productParam(false, 'Only this product.'),
    ],
    schema: 'InTransit',
    csv: 'Columns `sender_warehouse_id,product_id,quantity,movements`.',
  }),
  '/analytics/stock-history': get({
    operationId: 'getStockHistory',
    summary: 'One stock level over time: the balance at the end of each period, units in and out.',
    description:
      'From the stock changes of one warehouse and product, bucketed by when they occurred; periods without changes are absent.',
    parameters: [
      uuidParam('warehouse_id', true, 'The warehouse.'),
      productParam(true, 'The product.'),
      salesDate('start_date'),
      salesDate('end_date'),
      query('granularity', false, '`hour`, `day`, `week` (from Monday) or `month`.', {
        type: 'string',
        enum: ['hour', 'day', 'week', 'month'],
        default: 'day',
      }),
    ],
    schema: 'StockHistory',
    csv: 'Columns `period,balance,inbound,outbound`.',
    notFound: 'This warehouse never held this product.',
  }),
  '/analytics/orders': get({
    operationId: 'getOrderAnalytics',
    summary:
      'Orders per day, week or month (seed 004): accepted, completed, failed, revenue and processing-time quantiles.',
    description:
      "From daily aggregates of the orders' status changes. An order counts as accepted on the UTC day it was created, once a worker has taken it up (orders still waiting are in `GET /orders/status`); completed or failed on the day it finished. Revenue is the total amount of the completed orders. Periods without orders are absent; the totals cover the whole range.",
    parameters: [
      wholeDay('start_date', true),
      wholeDay('end_date', true),
      query(
        'granularity',
        false,
        '`day`, `week` (Monday to Sunday, labelled by its Monday; the first and last may be cut by the range) or `month` (labelled by its first day). `hour` is refused: the data is daily.',
        { type: 'string', maxLength: 16, default: 'day', examples: ['week'] },
      ),
    ],
    schema: 'OrderAnalytics',
    csv: 'Columns `period,orders,completed,failed,revenue,processing_p50_seconds,processing_p95_seconds,processing_p99_seconds`, one line per period (the totals are in the JSON answer only); a quantile is empty when no order completed.',
  }),
};

const closed = (description: string, properties: Record<string, JsonObject>): JsonObject => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const list = (description: string, item: string): JsonObject => ({
  type: 'array',
  description,
  items: ref(item),
});
const period = (description: string): JsonObject => ({ type: 'string', description });

const quantileSeconds = (description: string): JsonObject => ({
  type: ['number', 'null'],
  description: `${description} Seconds, exact to the millisecond; \`null\` when no order completed.`,
});

const orderFigures = {
  orders: count('Orders accepted: created in the period.'),
  completed: count('Orders completed in the period.'),
  failed: count('Orders failed in the period.'),
  revenue: money('Total amount of the orders completed in the period.'),
  processing_time_seconds: ref('OrderProcessingTimes'),
};

const week = closed('One week: 7 whole UTC days.', {
  start: day('First day.'),
  end: day('Last day, inclusive.'),
  revenue: money("The repeat buyers' revenue in this week."),
});

const schemas: JsonObject = {
  TotalSpent: closed('Revenue of the sale lines paid in the range.', {
    total_spent: money("Sum of the lines' revenue."),
  }),
  TopProducts: closed('Best-selling products by units.', {
    top_products: list('Most units first, then product id.', 'ProductQuantity'),
  }),
  ProductQuantity: closed('A product and the units of it sold.', {
    product_id: text('The product.'),
    total_quantity: count('Units sold in the range.'),
  }),
  TopSuppliers: closed('Sellers by distinct orders.', {
    top_suppliers: list('Most orders first, then seller id.', 'SupplierOrders'),
  }),
  SupplierOrders: closed('A seller, its distinct orders and revenue.', {
    seller_id: text('The seller.'),
    order_count: count('Distinct orders with at least one line of this seller.'),
    revenue: money("Revenue of the seller's lines."),
  }),
  Feedback: closed('The most common categories.', {
    feedback: {
      type: 'array',
      maxItems: 3,
      description: 'At most three; most lines first, then category.',
      items: ref('CategoryFeedback'),
    },
  }),
  CategoryFeedback: closed('A category, its sale lines and revenue.', {
    category: text('The category.'),
    count: count('Sale lines of this category.'),
    total_revenue: money('Revenue of those lines.'),
  }),
  CountryContribution: closed('Country shares of revenue and units.', {
    countries: list('Highest revenue first, then country.', 'CountryShare'),
  }),
  CountryShare: closed("One country's part of the total.", {
    country: text("The country (seller's or buyer's, as asked)."),
    country_name: countryName('Its'),
    continent: continent('Its'),
    revenue: money('Revenue of its sales.'),
    revenue_share: share('Its part of all revenue in the range.'),
    items: count('Units sold (sum of line quantities).'),
    items_share: share('Its part of all units in the range.'),
  }),
  CountryPair: closed('The pair of countries with the most revenue between them.', {
    country_a: text('The alphabetically first country of the pair.'),
    country_a_name: countryName("Country a's"),
    country_a_continent: continent("Country a's"),
    country_b: text('The other country.'),
    country_b_name: countryName("Country b's"),
    country_b_continent: continent("Country b's"),
    revenue: money('Revenue of sales from a to b and from b to a.'),
  }),
  RepeatBuyers: closed('Repeat-buyer revenue in two consecutive weeks.', {
    repeat_buyers: count('Buyers with at least two distinct orders in the 14 days.'),
    week_1: week,
    week_2: week,
    change: money('Week 2 revenue minus week 1 revenue.'),
    change_pct: {
      type: ['number', 'null'],
      description:
        'The change in percent of week 1 revenue, two decimals, rounded half away from zero; `null` when week 1 revenue is 0.',
    },
  }),
  StockFlow: closed('Units in and out per period.', {
    stock_flow: list('By period, warehouse, product.', 'StockFlowRow'),
  }),
  StockFlowRow: closed('Units moved at one warehouse, of one product, in one period.', {
    period: period('First day of the period, `YYYY-MM-DD`.'),
    warehouse_id: text('The warehouse.'),
    product_id: text('The product.'),
    inbound: { type: 'integer', description: 'Units that arrived.' },
    outbound: { type: 'integer', description: 'Units that departed.' },
  }),
  RouteTransit: closed('Completed movements per route.', {
    routes: list('Most movements first, then sender, receiver.', 'RouteTransitRow'),
  }),
  RouteTransitRow: closed('One route (sender → receiver).', {
    sender_warehouse_id: text('Where the goods left.'),
    receiver_warehouse_id: text('Where they arrived.'),
    movements: count('Movements completed.'),
    transit_p50_seconds: {
      type: 'integer',
      description:
        'Median transit time, seconds (exact: an observed value, the one at floor(0.5 × n) of the sorted times).',
    },
    transit_p90_seconds: { type: 'integer', description: '90th percentile, seconds (exact).' },
    transit_p99_seconds: { type: 'integer', description: '99th percentile, seconds (exact).' },
    sent: { type: 'integer', description: 'Units the departures reported.' },
    received: { type: 'integer', description: 'Units the arrivals reported.' },
    lost: count('Units lost on the way (departure minus arrival, where positive).'),
  }),
  InTransit: closed('Goods on the way now.', {
    in_transit: list('Most units first, then sender, product.', 'InTransitRow'),
  }),
  InTransitRow: closed('Goods on the way from one warehouse, of one product.', {
    sender_warehouse_id: text('Where the goods left.'),
    product_id: text('The product.'),
    quantity: { type: 'integer', minimum: 1, description: 'Units departed and not arrived.' },
    movements: { type: 'integer', description: 'Movements those units travel in.' },
  }),
  StockHistory: closed('One stock level over time.', {
    stock_history: list('Oldest period first; only periods with changes.', 'StockHistoryRow'),
  }),
  StockHistoryRow: closed('One period of a stock level.', {
    period: period(
      'Start of the period: `YYYY-MM-DDTHH:00:00Z` for hours, `YYYY-MM-DD` (a Monday for weeks, the 1st for months) otherwise.',
    ),
    balance: { type: 'integer', description: 'Units on hand after the last change of the period.' },
    inbound: { type: 'integer', description: 'Units that arrived.' },
    outbound: { type: 'integer', description: 'Units that departed.' },
  }),
  OrderAnalytics: closed('Orders per period, and over the whole range.', {
    start_date: day('First day of the range.'),
    end_date: day('Last day of the range, inclusive.'),
    granularity: { type: 'string', enum: ['day', 'week', 'month'], description: 'The periods.' },
    buckets: list('Oldest period first; only periods with orders.', 'OrderBucket'),
    totals: closed('The whole range.', orderFigures),
  }),
  OrderBucket: closed('Orders of one period.', {
    period: period(
      'First day of the period, `YYYY-MM-DD` (a Monday for weeks, the 1st for months; the range may cut the first and last).',
    ),
    ...orderFigures,
  }),
  OrderProcessingTimes: closed(
    "Quantiles of the completed orders' processing times (accepted → completed), exact: the nearest rank, i.e. the smallest observed time that at least ceil(q × n) of the n orders took no longer than (as Postgres' `percentile_disc`).",
    {
      p50: quantileSeconds('Median.'),
      p95: quantileSeconds('95th percentile.'),
      p99: quantileSeconds('99th percentile.'),
    },
  ),
};

export const analyticsOpenApi: OpenApiPart = {
  tags: [
    {
      name: TAG,
      description:
        'Aggregates from ClickHouse: sales (seeds 000 and 003), stock movements and orders (seed 004). JSON or CSV; cached until new data arrives.',
    },
  ],
  paths,
  schemas,
};
