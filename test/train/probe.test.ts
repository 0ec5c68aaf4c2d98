import { test } from 'node:test';
import { catalog } from '../../src/registries.js';
test('p', () => { for (const e of catalog.model.entries) console.log(e.name, JSON.stringify(e.info)); for (const e of catalog.dataset.entries) console.log(e.name, JSON.stringify(e.info)); });
