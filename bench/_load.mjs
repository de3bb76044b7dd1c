import autocannon from 'autocannon';
const [, , path] = process.argv;
const r = await autocannon({ url: 'http://127.0.0.1:3300', connections: 32, duration: 6, requests: [{ method: 'GET', path }] });
console.log(path, r.requests.average, 'rps p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx, 'errors', r.errors);
