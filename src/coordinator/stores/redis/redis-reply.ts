/** What a library function answers, as ioredis hands it over (see the decoders in ./lua/*.reply.ts). */
export type Reply = string | number | null | Reply[];
