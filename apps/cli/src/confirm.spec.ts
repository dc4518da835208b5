import { PassThrough } from 'node:stream';
import { CliError } from './api-client';
import { confirm } from './confirm';

const terminal = () => Object.assign(new PassThrough(), { isTTY: true });
const ask = {
  question: 'Delete tenant "acme"?',
  consequence: 'Its key is shredded.',
  expected: 'acme',
};

describe('confirm', () => {
  it('goes ahead with --yes without asking', async () => {
    const input = terminal();
    const output = new PassThrough();
    await expect(confirm({ ...ask, yes: true, input, output })).resolves.toBeUndefined();
    expect(output.read()).toBeNull();
  });

  it('refuses without a terminal and without --yes, naming --yes', async () => {
    const input = new PassThrough();
    await expect(confirm({ ...ask, input, output: new PassThrough() })).rejects.toThrow(/--yes/);
  });

  it('asks on a terminal and goes ahead only on the expected answer', async () => {
    const output = new PassThrough();
    const yes = terminal();
    const pending = confirm({ ...ask, input: yes, output });
    yes.write('acme\n');
    await expect(pending).resolves.toBeUndefined();
    expect(String(output.read())).toContain('Type acme to confirm');

    const no = terminal();
    const refused = confirm({ ...ask, input: no, output: new PassThrough() });
    no.write('y\n');
    await expect(refused).rejects.toBeInstanceOf(CliError);

    const eof = terminal();
    const ended = confirm({ ...ask, input: eof, output: new PassThrough() });
    eof.end();
    await expect(ended).rejects.toThrow(/nothing was changed/);
  });
});
