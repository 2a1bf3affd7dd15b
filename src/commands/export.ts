/**
 * Data out: `export` (managers and owners: customers.csv and orders.csv, made
 * to open right in Excel — see src/services/export.ts),
 * and for customers their own data (`mydata`, a JSON file) and erasure
 * (`forget`, confirmed with a button that runs `forget confirm`).
 */
import { CUSTOMERS, MANAGERS, staffCommand, type Command } from '../core/command.js';
import { text } from '../core/types.js';
import { exportAllCsv, personalData } from '../services/export.js';
import { forgetCustomer } from '../services/forget.js';

export const exportCommand = staffCommand({
  name: 'export',
  usage: 'export',
  summary: 'export',
  allow: MANAGERS,
  async run(ctx) {
    // Shop-local times and the shop's currency, whoever asks: the files are the shop's records.
    const { DEFAULT_TIMEZONE: timeZone, BASE_CURRENCY: baseCurrency } = ctx.deps.config;
    const { customers, orders } = await exportAllCsv({ timeZone, baseCurrency });
    return [
      text(ctx.msg.exportDone(customers.count, orders.count)),
      { kind: 'file', fileName: 'customers.csv', mimeType: 'text/csv', data: customers.data, caption: ctx.msg.exportCustomersCaption(customers.count) },
      { kind: 'file', fileName: 'orders.csv', mimeType: 'text/csv', data: orders.data, caption: ctx.msg.exportOrdersCaption(orders.count) },
    ];
  },
});

export const myData: Command = {
  name: 'mydata',
  aliases: ['my data'],
  usage: 'mydata',
  summary: 'mydata',
  allow: CUSTOMERS,
  async run(ctx) {
    if (ctx.actor.kind !== 'customer') return [text(ctx.msg.myDataNone())];
    const data = personalData(ctx.actor.customerId, ctx.deps.now());
    const body = Buffer.from(`${JSON.stringify(await data, null, 2)}\n`, 'utf8');
    const ref = ctx.actor.customerId;
    return [{ kind: 'file', fileName: `my-data-${ref}.json`, mimeType: 'application/json', data: body, caption: ctx.msg.myDataCaption() }];
  },
};

export const forget: Command = {
  name: 'forget',
  aliases: ['forget me'],
  usage: 'forget',
  summary: 'forget',
  allow: CUSTOMERS,
  async run(ctx) {
    if (ctx.actor.kind !== 'customer') return [text(ctx.msg.forgetNothing())];
    if (ctx.args.trim().toLowerCase() !== 'confirm') {
      return [text(ctx.msg.forgetConfirmPrompt(), [[{ label: ctx.msg.forgetConfirmButton(), action: 'forget confirm' }]])];
    }
    await forgetCustomer(ctx.actor.customerId, `customer:${ctx.actor.customerId}`, ctx.deps.now());
    return [text(ctx.msg.forgetDone())];
  },
};
