/** Number flags of the command line, checked the same way everywhere: a clear usage error, exit 2. */
import { UsageError } from './usageError';

export function integer(value: string, flag: string, min: number, max: number): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}.`);
  return number;
}

export function decimal(value: string, flag: string, min: number, max: number): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) throw new UsageError(`${flag} must be a number from ${min} to ${max}.`);
  return number;
}
