/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selective IDE stream of a link, set up by connect over the link's
 * SPDM session and torn down by disconnect.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_IDE_H
#define _TDX_HOST_IDE_H

struct pci_dev;
struct tdx_host_link;

int tdx_host_ide_setup(struct tdx_host_link *link, struct pci_dev *pdev);
void tdx_host_ide_teardown(struct tdx_host_link *link);

#endif /* _TDX_HOST_IDE_H */
